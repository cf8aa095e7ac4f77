-- "It is far more profitable to double your conversion rate than to double your lead volume."
-- Checks the claim on your own data, per paid channel, over the whole history: doubling a paid channel's
-- lead volume doubles its spend (the same cost per lead) and, at best, its new customers; doubling its
-- lead-to-won conversion doubles its new customers at the same spend. Compile with
-- `dbt compile --select more_leads_or_better_conversion` and run the SQL in target/compiled/.
-- The paid channel's leads are also the lowest-fit ones (see rpt_icp_performance), so in practice the
-- extra volume converts below the current rate: the "double volume" row is an upper bound.

with

leads as (

    select * from {{ ref('fct_leads') }}

),

spend as (

    select * from {{ ref('fct_marketing_spend_daily') }}

),

channel_leads as (

    select
        channel,
        count(*) as leads,
        sum(case when is_won then 1 else 0 end) as won_leads,
        sum(case when icp_tier = 'A' then 1 else 0 end) as tier_a_leads
    from leads
    where is_paid_channel
    group by channel

),

channel_spend as (

    select
        channel,
        sum(spend_usd) as spend_usd
    from spend
    group by channel

),

today as (

    select
        channel_leads.channel,
        channel_leads.leads,
        channel_leads.won_leads,
        channel_spend.spend_usd,
        {{ safe_divide('channel_leads.tier_a_leads', 'channel_leads.leads') }} as tier_a_share
    from channel_leads
    inner join channel_spend
        on channel_leads.channel = channel_spend.channel

),

final as (

    select
        channel,
        leads,
        tier_a_share,
        won_leads as customers_today,
        {{ customer_acquisition_cost('spend_usd', 'won_leads') }} as cac_today_usd,
        2 * won_leads as customers_if_double_volume,
        {{ customer_acquisition_cost('2 * spend_usd', '2 * won_leads') }} as cac_if_double_volume_usd,
        2 * won_leads as customers_if_double_conversion,
        {{ customer_acquisition_cost('spend_usd', '2 * won_leads') }} as cac_if_double_conversion_usd,
        spend_usd as extra_spend_if_double_volume_usd
    from today

)

select * from final
