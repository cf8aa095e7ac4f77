with

source as (

    select * from {{ source('salesforce', 'user') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as user_id,
        cast(name as {{ dbt.type_string() }}) as user_name,
        cast(email as {{ dbt.type_string() }}) as email,
        cast(department as {{ dbt.type_string() }}) as department,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(manager_id as {{ dbt.type_string() }}) as manager_id,
        cast(is_active as {{ dbt.type_boolean() }}) as is_active,
        cast(created_date as {{ dbt.type_timestamp() }}) as created_at,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins
    select
        *,
        row_number() over (
            partition by user_id
            order by synced_at desc
        ) as load_order
    from renamed

),

final as (

    select
        user_id,
        user_name,
        email,
        department,
        title,
        manager_id,
        is_active,
        created_at,
        synced_at
    from deduplicated
    where load_order = 1

)

select * from final
