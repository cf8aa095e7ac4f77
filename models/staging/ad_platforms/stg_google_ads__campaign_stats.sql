with

source as (

    select * from {{ source('google_ads', 'campaign_stats') }}

),

renamed as (

    select
        cast(date as date) as spend_date,
        cast(customer_id as {{ dbt.type_string() }}) as ad_account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
        cast(cost_micros as {{ dbt.type_bigint() }}) as cost_micros,
        cast(upper(trim(currency_code)) as {{ dbt.type_string() }}) as currency_code,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(conversions as {{ dbt.type_float() }}) as platform_conversions,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins
    select
        *,
        row_number() over (
            partition by campaign_id, spend_date
            order by synced_at desc
        ) as load_order
    from renamed

),

final as (

    select
        spend_date,
        ad_account_id,
        campaign_id,
        campaign_name,
        cost_micros,
        currency_code,
        impressions,
        clicks,
        platform_conversions,
        synced_at
    from deduplicated
    where load_order = 1

)

select * from final
