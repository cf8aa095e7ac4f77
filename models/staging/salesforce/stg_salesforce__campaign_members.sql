with

source as (

    select * from {{ source('salesforce', 'campaign_member') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as campaign_member_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(contact_id as {{ dbt.type_string() }}) as contact_id,
        cast(status as {{ dbt.type_string() }}) as member_status,
        cast(has_responded as {{ dbt.type_boolean() }}) as has_responded,
        cast(first_responded_date as date) as first_responded_date,
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
            partition by campaign_member_id
            order by synced_at desc
        ) as load_order
    from renamed

),

final as (

    select
        campaign_member_id,
        campaign_id,
        lead_id,
        contact_id,
        member_status,
        has_responded,
        first_responded_date,
        created_at,
        synced_at
    from deduplicated
    where load_order = 1
        and not is_deleted  -- soft deletes are counted in audit_raw_row_reconciliation

)

select * from final
