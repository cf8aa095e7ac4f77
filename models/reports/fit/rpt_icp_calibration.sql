-- Grain: one row per ICP definition version and tier (A, B, C). Every lead and account is scored under every
-- version (int_firmographics_scored), so each version is judged on all the history, including records created
-- before it took effect: lead-to-won conversion (each lead under the version's tier of the lead), win rate of
-- closed New Business deals (the account's tier under the version, else the converting lead's, as in
-- fct_opportunities) and logo churn (pooled over every complete month: churned / live at start).
-- ranks_in_order: the version's tiers rank outcomes in order, A >= B >= C on lead-to-won conversion and
-- A <= B <= C on churn; null when a tier has no data to judge. The monthly calibration review reads it.
with

scores as (

    select * from {{ ref('int_firmographics_scored') }}

),

versions as (

    select * from {{ ref('icp_versions') }}

),

leads as (

    select * from {{ ref('fct_leads') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

customer_months as (

    select * from {{ ref('int_account_months_retained') }}

),

tiers as (

    -- the tiers int_firmographics_scored assigns, best first
    select 'A' as icp_tier
    union all
    select 'B' as icp_tier
    union all
    select 'C' as icp_tier

),

lead_scores as (

    select * from scores
    where record_type = 'lead'

),

account_scores as (

    select * from scores
    where record_type = 'account'

),

lead_outcomes as (

    select
        lead_scores.icp_version,
        lead_scores.icp_tier,
        count(*) as leads,
        sum(case when lead_scores.is_version_in_effect then 1 else 0 end) as leads_in_effect,
        sum(case when leads.is_won then 1 else 0 end) as won_leads
    from lead_scores
    inner join leads
        on lead_scores.record_id = leads.lead_id
    group by lead_scores.icp_version, lead_scores.icp_tier

),

closed_deals as (

    select
        opportunity_id,
        account_id,
        source_lead_id,
        is_won,
        is_lost
    from opportunities
    where is_new_business and is_closed

),

deal_tiers as (

    select
        versions.icp_version,
        coalesce(account_scores.icp_tier, lead_scores.icp_tier) as icp_tier,
        closed_deals.is_won,
        closed_deals.is_lost
    from closed_deals
    cross join versions
    left join account_scores
        on
            closed_deals.account_id = account_scores.record_id
            and versions.icp_version = account_scores.icp_version
    left join lead_scores
        on
            closed_deals.source_lead_id = lead_scores.record_id
            and versions.icp_version = lead_scores.icp_version

),

deal_outcomes as (

    select
        icp_version,
        icp_tier,
        sum(case when is_won then 1 else 0 end) as won_deals,
        sum(case when is_lost then 1 else 0 end) as lost_deals
    from deal_tiers
    where icp_tier is not null
    group by icp_version, icp_tier

),

retention_outcomes as (

    select
        account_scores.icp_version,
        account_scores.icp_tier,
        count(*) as customer_months,
        sum(case when customer_months.is_churned then 1 else 0 end) as customers_churned
    from customer_months
    inner join account_scores
        on customer_months.account_id = account_scores.record_id
    where customer_months.is_complete_month
    group by account_scores.icp_version, account_scores.icp_tier

),

outcomes as (

    select
        versions.icp_version,
        versions.effective_from,
        tiers.icp_tier,
        coalesce(lead_outcomes.leads, 0) as leads,
        coalesce(lead_outcomes.leads_in_effect, 0) as leads_in_effect,
        coalesce(lead_outcomes.won_leads, 0) as won_leads,
        coalesce(deal_outcomes.won_deals, 0) as won_deals,
        coalesce(deal_outcomes.lost_deals, 0) as lost_deals,
        coalesce(retention_outcomes.customer_months, 0) as customer_months,
        coalesce(retention_outcomes.customers_churned, 0) as customers_churned
    from versions
    cross join tiers
    left join lead_outcomes
        on
            versions.icp_version = lead_outcomes.icp_version
            and tiers.icp_tier = lead_outcomes.icp_tier
    left join deal_outcomes
        on
            versions.icp_version = deal_outcomes.icp_version
            and tiers.icp_tier = deal_outcomes.icp_tier
    left join retention_outcomes
        on
            versions.icp_version = retention_outcomes.icp_version
            and tiers.icp_tier = retention_outcomes.icp_tier

),

rated as (

    select
        *,
        {{ safe_divide('won_leads', 'leads') }} as lead_to_won_rate,
        {{ win_rate('won_deals', 'lost_deals') }} as win_rate,
        {{ safe_divide('customers_churned', 'customer_months') }} as logo_churn_rate
    from outcomes

),

current_version as (

    -- the version in effect on as_of_date
    select max(effective_from) as effective_from
    from versions
    where effective_from <= {{ as_of_date() }}

),

version_checks as (

    select
        icp_version,
        max(case when icp_tier = 'A' then lead_to_won_rate end) >= max(case when icp_tier = 'B' then lead_to_won_rate end)
        and max(case when icp_tier = 'B' then lead_to_won_rate end)
        >= max(case when icp_tier = 'C' then lead_to_won_rate end) as ranks_in_order_on_conversion,
        max(case when icp_tier = 'A' then win_rate end) >= max(case when icp_tier = 'B' then win_rate end)
        and max(case when icp_tier = 'B' then win_rate end)
        >= max(case when icp_tier = 'C' then win_rate end) as ranks_in_order_on_win_rate,
        max(case when icp_tier = 'A' then logo_churn_rate end) <= max(case when icp_tier = 'B' then logo_churn_rate end)
        and max(case when icp_tier = 'B' then logo_churn_rate end)
        <= max(case when icp_tier = 'C' then logo_churn_rate end) as ranks_in_order_on_retention
    from rated
    group by icp_version

),

final as (

    select
        rated.icp_version,
        rated.icp_tier,
        rated.effective_from,
        coalesce(rated.effective_from = current_version.effective_from, false) as is_current_version,
        cast(rated.leads as {{ dbt.type_bigint() }}) as leads,
        cast(rated.leads_in_effect as {{ dbt.type_bigint() }}) as leads_in_effect,
        cast(rated.won_leads as {{ dbt.type_bigint() }}) as won_leads,
        rated.lead_to_won_rate,
        cast(rated.won_deals as {{ dbt.type_bigint() }}) as won_deals,
        cast(rated.lost_deals as {{ dbt.type_bigint() }}) as lost_deals,
        rated.win_rate,
        cast(rated.customer_months as {{ dbt.type_bigint() }}) as customer_months,
        cast(rated.customers_churned as {{ dbt.type_bigint() }}) as customers_churned,
        rated.logo_churn_rate,
        version_checks.ranks_in_order_on_conversion,
        version_checks.ranks_in_order_on_win_rate,
        version_checks.ranks_in_order_on_retention,
        version_checks.ranks_in_order_on_conversion
        and version_checks.ranks_in_order_on_retention as ranks_in_order
    from rated
    inner join version_checks
        on rated.icp_version = version_checks.icp_version
    cross join current_version

)

select * from final
