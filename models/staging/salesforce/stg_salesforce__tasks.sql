-- Personal data the marts do not need (names, emails, phones, free text; meta personal_data in the
-- source YAML) is not selected here, so it never leaves the raw layer (README, Personal data).
{{
    config(
        materialized=incremental_staging(),
        unique_key='task_id',
        post_hook='{{ remove_soft_deleted() }}',
    )
}}

with

source as (

    select * from {{ source('salesforce', 'task') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as task_id,
        {{ normalize_id('who_id') }} as who_id,
        {{ normalize_id('what_id') }} as what_id,
        {{ normalize_id('owner_id') }} as owner_id,
        cast(type as {{ dbt.type_string() }}) as task_type,
        cast(status as {{ dbt.type_string() }}) as task_status,
        cast(activity_date as date) as activity_date,
        {{ utc_timestamp('created_date') }} as created_at,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        {{ utc_timestamp('_fivetran_synced') }} as synced_at
    from source

),

new_loads as (

    select * from renamed{{ new_loads() }}

),

loaded as (

    select * from new_loads{{ kept_versions('new_loads', ['task_id']) }}

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins (a copy without a load time
    -- loses to one with; different copies at the same load are quarantined as conflicting_duplicate_id).
    -- Keyless rows are left out here and quarantined as missing_key. A record whose latest load is a soft delete
    -- is removed by the post-hook (remove_soft_deleted) and counted in audit_raw_row_reconciliation.
    select
        *,
        row_number() over (
            partition by task_id
            order by synced_at desc nulls last
        ) as load_order
    from loaded

),

final as (

    select
        task_id,
        who_id,
        what_id,
        owner_id,
        task_type,
        task_status,
        activity_date,
        created_at,
        is_deleted,
        synced_at
    from deduplicated
    where load_order = 1
        and task_id is not null
        and {{ soft_deleted_filter() }}  -- Spark: soft deletes here, not by the post-hook

)

select * from final
