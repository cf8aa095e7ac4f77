with

source as (

    select * from {{ source('salesforce', 'opportunity_contact_role') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as opportunity_contact_role_id,
        {{ normalize_id('opportunity_id') }} as opportunity_id,
        {{ normalize_id('contact_id') }} as contact_id,
        cast(role as {{ dbt.type_string() }}) as contact_role,
        cast(is_primary as {{ dbt.type_boolean() }}) as is_primary,
        {{ utc_timestamp('created_date') }} as created_at,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
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
            partition by opportunity_contact_role_id
            order by synced_at desc nulls last
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
        and opportunity_contact_role_id is not null
        and not is_deleted  -- soft deletes are counted in audit_raw_row_reconciliation

)

select * from final
