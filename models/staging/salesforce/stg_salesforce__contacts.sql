with

source as (

    select * from {{ source('salesforce', 'contact') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as contact_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(first_name as {{ dbt.type_string() }}) as first_name,
        cast(last_name as {{ dbt.type_string() }}) as last_name,
        cast(email as {{ dbt.type_string() }}) as email,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(trim(lead_source) as {{ dbt.type_string() }}) as lead_source,
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
            partition by contact_id
            order by synced_at desc
        ) as load_order
    from renamed

),

final as (

    select
        contact_id,
        account_id,
        first_name,
        last_name,
        email,
        title,
        lead_source,
        created_at,
        synced_at
    from deduplicated
    where load_order = 1
        and not is_deleted  -- soft deletes are counted in audit_raw_row_reconciliation

)

select * from final
