-- One row per CRM user, with the name of the user's manager: who owns a deal and whom to ask about it
-- (the weekly funnel review lists stalled deals by owner and manager).
with

users as (

    select * from {{ ref('stg_salesforce__users') }}

),

final as (

    select
        users.user_id,
        users.user_name,
        users.department,
        users.title,
        users.is_active,
        users.manager_id,
        managers.user_name as manager_name
    from users
    left join users as managers
        on users.manager_id = managers.user_id

)

select * from final
