-- Grain: one row per date, ad platform and campaign: spend in the original currency and in USD (daily FX),
-- clicks, impressions, the governed channel and the CRM campaign the spend meets leads through. Built in
-- int_marketing_spend_in_usd; published here under the contract.
with

spend as (

    select * from {{ ref('int_marketing_spend_in_usd') }}

),

final as (

    select
        spend_id,
        spend_date,
        ad_platform,
        campaign_id,
        campaign_name,
        crm_campaign_id,
        channel,
        currency_code,
        spend,
        spend_usd,
        clicks,
        impressions
    from spend

)

select * from final
