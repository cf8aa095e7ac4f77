-- Grain: one row per date, ad platform and campaign: spend in the original currency and in USD (daily FX),
-- clicks, impressions, the governed channel and the CRM campaign the spend meets leads through.
-- fct_marketing_spend_daily publishes it; CAC reads it.
with

spend as (

    select * from {{ ref('int_ad_spend_unioned') }}

),

platform_channels as (

    select distinct
        ad_platform,
        channel
    from {{ ref('channel_mapping') }}
    where ad_platform is not null

),

fx_rates as (

    select * from {{ ref('int_fx_rates_filled') }}

),

campaigns as (

    -- one CRM campaign per UTM campaign name, so the join cannot fan spend out
    select
        utm_campaign,
        min(campaign_id) as campaign_id
    from {{ ref('stg_salesforce__campaigns') }}
    where utm_campaign is not null
    group by utm_campaign

),

final as (

    select
        {{ dbt.concat([
            "spend.ad_platform", "'-'", "spend.campaign_id", "'-'",
            dbt.cast("spend.spend_date", dbt.type_string()),
        ]) }} as spend_id,
        spend.spend_date,
        spend.ad_platform,
        spend.campaign_id,
        spend.campaign_name,
        campaigns.campaign_id as crm_campaign_id,
        coalesce(platform_channels.channel, 'unmapped') as channel,
        spend.currency_code,
        spend.spend,
        cast(spend.spend * fx_rates.rate_to_usd as {{ dbt.type_numeric() }}) as spend_usd,
        spend.clicks,
        spend.impressions
    from spend
    left join platform_channels
        on spend.ad_platform = platform_channels.ad_platform
    left join fx_rates
        on
            spend.currency_code = fx_rates.currency_code
            and spend.spend_date = fx_rates.date_day
    left join campaigns
        on spend.campaign_name = campaigns.utm_campaign

)

select * from final
