with

source as (

    select * from {{ source('salesforce', 'task') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as task_id,
        cast(who_id as {{ dbt.type_string() }}) as who_id,
        cast(what_id as {{ dbt.type_string() }}) as what_id,
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(type as {{ dbt.type_string() }}) as task_type,
        cast(subject as {{ dbt.type_string() }}) as subject,
        cast(status as {{ dbt.type_string() }}) as task_status,
        cast(activity_date as date) as activity_date,
        cast(created_date as {{ dbt.type_timestamp() }}) as created_at,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins
    select
        *,
        row_number() over (
            partition by task_id
            order by synced_at desc
        ) as load_order
    from renamed

),

final as (

    select
        task_id,
        who_id,
        what_id,
        owner_id,
        task_type,
        subject,
        task_status,
        activity_date,
        created_at,
        synced_at
    from deduplicated
    where load_order = 1
        and not is_deleted  -- soft deletes are counted in audit_raw_row_reconciliation

)

select * from final
