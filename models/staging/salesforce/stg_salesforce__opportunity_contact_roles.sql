with

source as (

    select * from {{ source('salesforce', 'opportunity_contact_role') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as opportunity_contact_role_id,
        cast(opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
        cast(contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(role as {{ dbt.type_string() }}) as contact_role,
        cast(is_primary as {{ dbt.type_boolean() }}) as is_primary,
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
            partition by opportunity_contact_role_id
            order by synced_at desc
        ) as load_order
    from renamed

),

final as (

    select
        opportunity_contact_role_id,
        opportunity_id,
        contact_id,
        contact_role,
        is_primary,
        created_at,
        synced_at
    from deduplicated
    where load_order = 1
        and not is_deleted  -- soft deletes are counted in audit_raw_row_reconciliation

)

select * from final
