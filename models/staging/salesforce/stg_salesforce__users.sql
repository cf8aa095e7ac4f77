-- Personal data the marts do not need (names, emails, phones, free text; meta personal_data in the
-- source YAML) is not selected here, so it never leaves the raw layer (README, Personal data).
with

source as (

    select * from {{ source('salesforce', 'user') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as user_id,
        cast(name as {{ dbt.type_string() }}) as user_name,
        cast(department as {{ dbt.type_string() }}) as department,
        cast(title as {{ dbt.type_string() }}) as title,
        {{ normalize_id('manager_id') }} as manager_id,
        cast(is_active as {{ dbt.type_boolean() }}) as is_active,
        {{ utc_timestamp('created_date') }} as created_at,
        {{ utc_timestamp('_fivetran_synced') }} as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins (a copy without a load time
    -- loses to one with; different copies at the same load are quarantined as conflicting_duplicate_id).
    -- Keyless rows are left out here and quarantined as missing_key.
    select
        *,
        row_number() over (
            partition by user_id
            order by synced_at desc nulls last
        ) as load_order
    from renamed

),

final as (

    select
        user_id,
        user_name,
        department,
        title,
        manager_id,
        is_active,
        created_at,
        synced_at
    from deduplicated
    where load_order = 1
        and user_id is not null

)

select * from final
