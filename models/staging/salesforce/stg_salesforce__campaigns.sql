with

source as (

    select * from {{ source('salesforce', 'campaign') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as campaign_id,
        cast(name as {{ dbt.type_string() }}) as campaign_name,
        cast(type as {{ dbt.type_string() }}) as campaign_type,
        cast(status as {{ dbt.type_string() }}) as campaign_status,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        {{ try_cast('budgeted_cost', dbt.type_numeric()) }} as budgeted_cost_usd,
        {{ try_cast('actual_cost', dbt.type_numeric()) }} as actual_cost_usd,
        cast(utm_campaign__c as {{ dbt.type_string() }}) as utm_campaign,
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
            partition by campaign_id
            order by synced_at desc nulls last
        ) as load_order
    from renamed

),

final as (

    select
        campaign_id,
        campaign_name,
        campaign_type,
        campaign_status,
        start_date,
        end_date,
        budgeted_cost_usd,
        actual_cost_usd,
        utm_campaign,
        synced_at
    from deduplicated
    where load_order = 1
        and campaign_id is not null
        and not is_deleted  -- soft deletes are counted in audit_raw_row_reconciliation

)

select * from final
