{{
    config(
        materialized=incremental_staging(),
        unique_key='campaign_member_id',
        post_hook='{{ remove_soft_deleted() }}',
    )
}}

with

source as (

    select * from {{ source('salesforce', 'campaign_member') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as campaign_member_id,
        {{ normalize_id('campaign_id') }} as campaign_id,
        {{ normalize_id('lead_id') }} as lead_id,
        {{ normalize_id('contact_id') }} as contact_id,
        cast(status as {{ dbt.type_string() }}) as member_status,
        cast(has_responded as {{ dbt.type_boolean() }}) as has_responded,
        cast(first_responded_date as date) as first_responded_date,
        {{ utc_timestamp('created_date') }} as created_at,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        {{ utc_timestamp('_fivetran_synced') }} as synced_at
    from source

),

new_loads as (

    select * from renamed{{ new_loads() }}

),

loaded as (

    select * from new_loads{{ kept_versions('new_loads', ['campaign_member_id']) }}

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins (a copy without a load time
    -- loses to one with; different copies at the same load are quarantined as conflicting_duplicate_id).
    -- Keyless rows are left out here and quarantined as missing_key. A record whose latest load is a soft delete
    -- is removed by the post-hook (remove_soft_deleted) and counted in audit_raw_row_reconciliation.
    select
        *,
        row_number() over (
            partition by campaign_member_id
            order by synced_at desc nulls last
        ) as load_order
    from loaded

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
        is_deleted,
        synced_at
    from deduplicated
    where load_order = 1
        and campaign_member_id is not null
        and {{ soft_deleted_filter() }}  -- Spark: soft deletes here, not by the post-hook

)

select * from final
