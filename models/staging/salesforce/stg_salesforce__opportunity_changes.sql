{{
    config(
        materialized=incremental_staging(),
        unique_key='opportunity_change_id',
        post_hook='{{ remove_soft_deleted() }}',
    )
}}

with

source as (

    select * from {{ source('salesforce', 'opportunity_history') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as opportunity_change_id,
        {{ normalize_id('opportunity_id') }} as opportunity_id,
        {{ utc_timestamp('created_date') }} as changed_at,
        cast(trim(stage_name) as {{ dbt.type_string() }}) as stage_name,
        cast(amount as {{ type_double() }}) as amount,
        cast(close_date as date) as close_date,
        cast(probability as {{ dbt.type_float() }}) as probability,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        {{ utc_timestamp('_fivetran_synced') }} as synced_at
    from source

),

new_loads as (

    select * from renamed{{ new_loads() }}

),

loaded as (

    select * from new_loads{{ kept_versions('new_loads', ['opportunity_change_id']) }}

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins (a copy without a load time
    -- loses to one with; different copies at the same load are quarantined as conflicting_duplicate_id).
    -- Keyless rows are left out here and quarantined as missing_key. A record whose latest load is a soft delete
    -- is removed by the post-hook (remove_soft_deleted) and counted in audit_raw_row_reconciliation.
    select
        *,
        row_number() over (
            partition by opportunity_change_id
            order by synced_at desc nulls last
        ) as load_order
    from loaded

),

final as (

    select
        opportunity_change_id,
        opportunity_id,
        changed_at,
        stage_name,
        amount,
        close_date,
        probability,
        is_deleted,
        synced_at
    from deduplicated
    where load_order = 1
        and opportunity_change_id is not null
        and {{ soft_deleted_filter() }}  -- Spark: soft deletes here, not by the post-hook

)

select * from final
