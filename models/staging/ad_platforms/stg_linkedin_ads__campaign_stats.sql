{{
    config(
        materialized=incremental_staging(),
        unique_key=['campaign_id', 'spend_date'],
    )
}}

with

source as (

    select * from {{ source('linkedin_ads', 'ad_analytics_by_campaign') }}

),

renamed as (

    select
        cast(day as date) as spend_date,
        {{ normalize_id('campaign_id') }} as campaign_id,
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
        {{ raw_amount('linkedin_ads.ad_analytics_by_campaign', 'cost_in_local_currency') }} as spend,
        cast(upper(trim(currency_code)) as {{ dbt.type_string() }}) as currency_code,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        {{ utc_timestamp('_fivetran_synced') }} as synced_at
    from source

),

new_loads as (

    select * from renamed{{ new_loads() }}

),

loaded as (

    select * from new_loads{{ kept_versions('new_loads', ['campaign_id', 'spend_date']) }}

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins (a copy without a load time
    -- loses to one with; different copies at the same load are quarantined as conflicting_duplicate_id).
    -- Keyless rows are left out here and quarantined as missing_key.
    select
        *,
        row_number() over (
            partition by campaign_id, spend_date
            order by synced_at desc nulls last
        ) as load_order
    from loaded

),

final as (

    select
        spend_date,
        campaign_id,
        campaign_name,
        spend,
        currency_code,
        impressions,
        clicks,
        synced_at
    from deduplicated
    where load_order = 1
        and campaign_id is not null
        and spend_date is not null

)

select * from final
