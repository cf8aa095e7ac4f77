-- Grain: one row per ICP tier (A, B, C; 'unknown' when some record has no tier) under the version in effect,
-- plus icp_tier = 'all' for the whole company, over all history to as_of_date. Where "bad-fit leads cost
-- more" is shown or refuted: the lead funnel (cohort conversion by as_of_date, each lead under its own tier),
-- New Business deals (win rate, cycle, deal size, new customers, under the deal's tier), paid CAC, churn and
-- LTV (rpt_churn), and rep effort (sales tasks on leads and on deals).
-- Paid spend cannot be traced to a tier: each month, each channel's spend is allocated to tiers by the tier's
-- share of the leads that channel created that month; spend in a channel and month without leads stays
-- under 'unknown'.
with

leads as (

    select * from {{ ref('fct_leads') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

opportunity_effort as (

    select * from {{ ref('int_opportunities_touched') }}

),

spend as (

    select * from {{ ref('fct_marketing_spend_daily') }}

),

churn as (

    select * from {{ ref('int_churn_monthly') }}
    where acquisition_channel = 'all'

),

lead_facts as (

    select
        coalesce(icp_tier, 'unknown') as icp_tier,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as created_month,
        channel,
        is_mql,
        is_sql,
        is_opportunity,
        is_won,
        is_opportunity and not is_won and not is_lost as has_open_opportunity,
        sales_touch_count
    from leads

),

deal_facts as (

    select
        coalesce(opportunities.icp_tier, 'unknown') as icp_tier,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.is_new_customer,
        opportunities.amount_usd,
        opportunities.sales_cycle_days,
        coalesce(opportunity_effort.sales_task_count, 0) as sales_task_count
    from opportunities
    left join opportunity_effort
        on opportunities.opportunity_id = opportunity_effort.opportunity_id
    where opportunities.is_new_business

),

lead_mix as (

    select
        created_month,
        channel,
        icp_tier,
        count(*) as leads,
        sum(count(*)) over (partition by created_month, channel) as channel_leads
    from lead_facts
    group by created_month, channel, icp_tier

),

monthly_spend as (

    select
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as spend_month,
        channel,
        sum(spend_usd) as spend_usd
    from spend
    group by cast({{ dbt.date_trunc('month', 'spend_date') }} as date), channel

),

allocated_spend as (

    select
        coalesce(lead_mix.icp_tier, 'unknown') as icp_tier,
        case
            when lead_mix.icp_tier is null then monthly_spend.spend_usd
            else monthly_spend.spend_usd * lead_mix.leads / lead_mix.channel_leads
        end as paid_media_spend_usd
    from monthly_spend
    left join lead_mix
        on
            monthly_spend.spend_month = lead_mix.created_month
            and monthly_spend.channel = lead_mix.channel
            and monthly_spend.channel not in ('unmapped', 'unattributed')

),

lead_totals as (

    select
        icp_tier,
        count(*) as leads,
        sum(case when is_mql then 1 else 0 end) as mqls,
        sum(case when is_sql then 1 else 0 end) as sqls,
        sum(case when is_opportunity then 1 else 0 end) as converted_leads,
        sum(case when is_won then 1 else 0 end) as won_leads,
        sum(case when has_open_opportunity then 1 else 0 end) as leads_with_open_opportunity,
        sum(sales_touch_count) as lead_sales_tasks
    from (
        select * from lead_facts
        union all
        select
            'all' as icp_tier,
            created_month,
            channel,
            is_mql,
            is_sql,
            is_opportunity,
            is_won,
            has_open_opportunity,
            sales_touch_count
        from lead_facts
    ) as lead_segments
    group by icp_tier

),

deal_totals as (

    select
        icp_tier,
        count(*) as new_business_opportunities,
        sum(case when is_won then 1 else 0 end) as won_deals,
        sum(case when is_lost then 1 else 0 end) as lost_deals,
        sum(case when is_new_customer then 1 else 0 end) as new_customers,
        percentile_cont(0.5) within group (
            order by case when is_won then sales_cycle_days end
        ) as median_sales_cycle_days,
        avg(case when is_won then sales_cycle_days end) as mean_sales_cycle_days,
        avg(case when is_won then amount_usd end) as average_won_deal_usd,
        sum(sales_task_count) as opportunity_sales_tasks
    from (
        select * from deal_facts
        union all
        select
            'all' as icp_tier,
            is_won,
            is_lost,
            is_new_customer,
            amount_usd,
            sales_cycle_days,
            sales_task_count
        from deal_facts
    ) as deal_segments
    group by icp_tier

),

spend_totals as (

    select
        icp_tier,
        sum(paid_media_spend_usd) as paid_media_spend_usd
    from (
        select * from allocated_spend
        union all
        select
            'all' as icp_tier,
            paid_media_spend_usd
        from allocated_spend
    ) as spend_segments
    group by icp_tier

),

spend_recorded as (

    -- no paid media spend recorded at all (no ad platform landed) is "not available", not a spend of 0
    select count(*) > 0 as has_spend
    from spend

),

latest_complete_month as (

    select max(month_start_date) as month_start_date
    from churn
    where is_complete_month

),

latest_churn as (

    -- churn and LTV of the latest complete month (trailing window)
    select
        churn.icp_tier,
        churn.trailing_logo_churn_rate,
        churn.arpa_usd,
        churn.ltv_usd
    from churn
    inner join latest_complete_month
        on churn.month_start_date = latest_complete_month.month_start_date

),

tiers as (

    -- A, B and C always (a tier without records shows zeros), 'all', and 'unknown' when some record has it
    select 'A' as icp_tier
    union all
    select 'B' as icp_tier
    union all
    select 'C' as icp_tier
    union all
    select 'all' as icp_tier
    union all
    select distinct icp_tier
    from (
        select icp_tier from lead_facts
        union all
        select icp_tier from deal_facts
        union all
        select icp_tier from allocated_spend
        union all
        select icp_tier from latest_churn
    ) as seen
    where icp_tier not in ('A', 'B', 'C', 'all')

),

joined as (

    select
        tiers.icp_tier,
        coalesce(lead_totals.leads, 0) as leads,
        coalesce(lead_totals.mqls, 0) as mqls,
        coalesce(lead_totals.sqls, 0) as sqls,
        coalesce(lead_totals.converted_leads, 0) as converted_leads,
        coalesce(lead_totals.won_leads, 0) as won_leads,
        coalesce(lead_totals.leads_with_open_opportunity, 0) as leads_with_open_opportunity,
        coalesce(deal_totals.new_business_opportunities, 0) as new_business_opportunities,
        coalesce(deal_totals.won_deals, 0) as won_deals,
        coalesce(deal_totals.lost_deals, 0) as lost_deals,
        coalesce(deal_totals.new_customers, 0) as new_customers,
        deal_totals.median_sales_cycle_days,
        deal_totals.mean_sales_cycle_days,
        deal_totals.average_won_deal_usd,
        case when spend_recorded.has_spend then coalesce(spend_totals.paid_media_spend_usd, 0) end
            as paid_media_spend_usd,
        latest_churn.trailing_logo_churn_rate,
        latest_churn.arpa_usd,
        latest_churn.ltv_usd,
        coalesce(lead_totals.lead_sales_tasks, 0) as lead_sales_tasks,
        coalesce(deal_totals.opportunity_sales_tasks, 0) as opportunity_sales_tasks
    from tiers
    left join lead_totals
        on tiers.icp_tier = lead_totals.icp_tier
    left join deal_totals
        on tiers.icp_tier = deal_totals.icp_tier
    left join spend_totals
        on tiers.icp_tier = spend_totals.icp_tier
    left join latest_churn
        on tiers.icp_tier = latest_churn.icp_tier
    cross join spend_recorded

),

costed as (

    select
        *,
        {{ safe_divide('paid_media_spend_usd', 'leads') }} as paid_media_per_lead_usd,
        {{ customer_acquisition_cost('paid_media_spend_usd', 'new_customers') }} as paid_cac_usd
    from joined

),

final as (

    select
        icp_tier,
        cast(leads as {{ dbt.type_bigint() }}) as leads,
        cast(mqls as {{ dbt.type_bigint() }}) as mqls,
        cast(sqls as {{ dbt.type_bigint() }}) as sqls,
        cast(converted_leads as {{ dbt.type_bigint() }}) as converted_leads,
        cast(won_leads as {{ dbt.type_bigint() }}) as won_leads,
        cast(leads_with_open_opportunity as {{ dbt.type_bigint() }}) as leads_with_open_opportunity,
        {{ safe_divide('mqls', 'leads') }} as lead_to_mql_rate,
        {{ safe_divide('sqls', 'mqls') }} as mql_to_sql_rate,
        {{ safe_divide('converted_leads', 'sqls') }} as sql_to_opportunity_rate,
        {{ safe_divide('won_leads', 'converted_leads') }} as opportunity_to_won_rate,
        {{ safe_divide('won_leads', 'leads') }} as lead_to_won_rate,
        cast(new_business_opportunities as {{ dbt.type_bigint() }}) as new_business_opportunities,
        cast(won_deals as {{ dbt.type_bigint() }}) as won_deals,
        cast(lost_deals as {{ dbt.type_bigint() }}) as lost_deals,
        {{ win_rate('won_deals', 'lost_deals') }} as win_rate,
        cast(median_sales_cycle_days as {{ type_double() }}) as median_sales_cycle_days,
        cast(mean_sales_cycle_days as {{ type_double() }}) as mean_sales_cycle_days,
        cast(round(cast(average_won_deal_usd as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_numeric() }}) as average_won_deal_usd,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(round(cast(paid_media_spend_usd as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_numeric() }}) as paid_media_spend_usd,
        cast(round(cast(paid_media_per_lead_usd as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_numeric() }}) as paid_media_per_lead_usd,
        cast(round(cast(paid_cac_usd as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_numeric() }}) as paid_cac_usd,
        trailing_logo_churn_rate,
        arpa_usd,
        ltv_usd,
        cast(lead_sales_tasks as {{ dbt.type_bigint() }}) as lead_sales_tasks,
        cast(opportunity_sales_tasks as {{ dbt.type_bigint() }}) as opportunity_sales_tasks,
        {{ safe_divide('lead_sales_tasks', 'leads') }} as sales_tasks_per_lead,
        {{ safe_divide('opportunity_sales_tasks', 'new_business_opportunities') }} as sales_tasks_per_opportunity,
        {{ safe_divide('lead_sales_tasks + opportunity_sales_tasks', 'new_customers') }} as sales_tasks_per_new_customer
    from costed

)

select * from final
