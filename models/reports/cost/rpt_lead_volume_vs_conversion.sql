-- Grain: one row per paid channel (channel_mapping seed: is_paid), over all history to as_of_date.
-- "It is far more profitable to double your conversion rate than to double your lead volume": doubling a
-- paid channel's lead volume doubles its spend (the same cost per lead) and, at best, its won leads, so its
-- CAC stays where it is; doubling its lead-to-won conversion doubles its won leads at the same spend, so its
-- CAC halves. The channel's leads are also its tier mix (tier_a_share): extra volume from a low-fit channel
-- converts below today's rate, so the "double volume" columns are an upper bound.

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
        count(case when is_won then lead_id end) as won_leads,
        count(case when icp_tier = 'A' then lead_id end) as tier_a_leads
    from leads
    where is_paid_channel
    group by channel

),

paid_channels as (

    select
        channel,
        is_paid
    from {{ ref('channel_mapping') }}
    where is_paid
    group by channel, is_paid

),

channel_spend as (

    select
        spend.channel,
        sum(spend.spend_usd) as spend_usd
    from spend
    inner join paid_channels
        on spend.channel = paid_channels.channel
    group by spend.channel

),

today as (

    select
        coalesce(channel_leads.channel, channel_spend.channel) as channel,
        coalesce(channel_leads.leads, 0) as leads,
        coalesce(channel_leads.won_leads, 0) as won_leads,
        coalesce(channel_leads.tier_a_leads, 0) as tier_a_leads,
        coalesce(channel_spend.spend_usd, 0) as spend_usd
    from channel_leads
    full outer join channel_spend
        on channel_leads.channel = channel_spend.channel

),

final as (

    select
        channel,
        leads,
        {{ safe_divide('tier_a_leads', 'leads') }} as tier_a_share,
        cast(spend_usd as {{ dbt.type_numeric() }}) as spend_usd,
        {{ safe_divide('won_leads', 'leads') }} as lead_to_won_rate,
        won_leads as won_leads_today,
        {{ customer_acquisition_cost('spend_usd', 'won_leads') }} as cac_today_usd,
        2 * won_leads as won_leads_if_double_volume,
        {{ customer_acquisition_cost('2 * spend_usd', '2 * won_leads') }} as cac_if_double_volume_usd,
        cast(spend_usd as {{ dbt.type_numeric() }}) as extra_spend_if_double_volume_usd,
        2 * won_leads as won_leads_if_double_conversion,
        {{ customer_acquisition_cost('spend_usd', '2 * won_leads') }} as cac_if_double_conversion_usd
    from today

)

select * from final
