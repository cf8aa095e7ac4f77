-- The cost and fit reports account for every new customer, every dollar of spend and every GTM expense the
-- core marts hold, and their segment rows add up to their 'all' rows (no fan-out, nothing dropped, nothing
-- spread twice). A row returned names the figure that disagrees.
with

acquisition_costs as (

    select * from {{ ref('rpt_customer_acquisition_cost') }}

),

churn as (

    select * from {{ ref('rpt_churn') }}

),

performance as (

    select * from {{ ref('rpt_icp_performance') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

spend as (

    select * from {{ ref('fct_marketing_spend_daily') }}

),

expenses as (

    select * from {{ ref('fct_expenses') }}

),

leads as (

    select * from {{ ref('fct_leads') }}

),

core_new_customers as (

    select count(*) as new_customers
    from opportunities
    where is_new_customer

),

core_spend as (

    select coalesce(sum(spend_usd), 0) as paid_media_spend_usd
    from spend

),

core_expenses as (

    select coalesce(sum(amount_usd), 0) as expense_usd
    from expenses
    where
        department in ('marketing', 'sales')
        and category in ('program', 'agency', 'events', 'headcount', 'tools')

),

core_leads as (

    select count(*) as leads
    from leads

),

core_totals as (

    select
        core_new_customers.new_customers,
        core_spend.paid_media_spend_usd,
        core_expenses.expense_usd,
        core_leads.leads
    from core_new_customers
    cross join core_spend
    cross join core_expenses
    cross join core_leads

),

cost_totals as (

    select
        coalesce(sum(case when channel = 'all' then new_customers end), 0) as new_customers,
        coalesce(sum(case when channel != 'all' then new_customers end), 0) as channel_new_customers,
        coalesce(sum(case when channel = 'all' then paid_media_spend_usd end), 0) as paid_media_spend_usd,
        coalesce(sum(case when channel != 'all' then paid_media_spend_usd end), 0) as channel_paid_media_spend_usd,
        coalesce(sum(case when channel = 'all' then blended_cost_usd - paid_media_spend_usd end), 0) as expense_usd,
        coalesce(sum(case when channel != 'all' then blended_cost_usd - paid_media_spend_usd end), 0) as channel_expense_usd
    from acquisition_costs

),

churn_segments as (

    select
        month_start_date,
        sum(case when icp_tier = 'all' and acquisition_channel = 'all' then customers_at_start end) as total_at_start,
        sum(case when icp_tier != 'all' and acquisition_channel = 'all' then customers_at_start end) as tiers_at_start,
        sum(case when icp_tier = 'all' and acquisition_channel != 'all' then customers_at_start end) as channels_at_start,
        sum(case when icp_tier != 'all' and acquisition_channel != 'all' then customers_at_start end) as cells_at_start,
        sum(case when icp_tier = 'all' and acquisition_channel = 'all' then customers_churned end) as total_churned,
        sum(case when icp_tier != 'all' and acquisition_channel = 'all' then customers_churned end) as tiers_churned
    from churn
    group by month_start_date

),

performance_totals as (

    select
        sum(case when icp_tier = 'all' then leads end) as leads,
        sum(case when icp_tier != 'all' then leads end) as tier_leads,
        sum(case when icp_tier = 'all' then new_customers end) as new_customers,
        sum(case when icp_tier != 'all' then new_customers end) as tier_new_customers,
        sum(case when icp_tier = 'all' then paid_media_spend_usd end) as paid_media_spend_usd,
        sum(case when icp_tier != 'all' then paid_media_spend_usd end) as tier_paid_media_spend_usd
    from performance

),

final as (

    select 'cac new customers vs fct_opportunities' as figure
    from cost_totals cross join core_totals
    where cost_totals.new_customers != core_totals.new_customers
    union all
    select 'cac channel new customers vs all' as figure
    from cost_totals
    where cost_totals.channel_new_customers != cost_totals.new_customers
    union all
    select 'cac paid media vs fct_marketing_spend_daily' as figure
    from cost_totals cross join core_totals
    where abs(cost_totals.paid_media_spend_usd - core_totals.paid_media_spend_usd) >= 0.005
    union all
    select 'cac channel paid media vs all' as figure
    from cost_totals
    where abs(cost_totals.channel_paid_media_spend_usd - cost_totals.paid_media_spend_usd) >= 0.005
    union all
    select 'cac expenses vs fct_expenses' as figure
    from cost_totals cross join core_totals
    where abs(cost_totals.expense_usd - core_totals.expense_usd) >= 0.005
    union all
    select 'cac channel expenses vs all' as figure
    from cost_totals
    where abs(cost_totals.channel_expense_usd - cost_totals.expense_usd) >= 0.005
    union all
    select {{ dbt.concat(["'churn segments vs all in '", dbt.cast('month_start_date', dbt.type_string())]) }} as figure
    from churn_segments
    where
        tiers_at_start != total_at_start
        or channels_at_start != total_at_start
        or cells_at_start != total_at_start
        or tiers_churned != total_churned
    union all
    select 'icp performance leads vs fct_leads' as figure
    from performance_totals cross join core_totals
    where performance_totals.leads != core_totals.leads or performance_totals.tier_leads != core_totals.leads
    union all
    select 'icp performance new customers vs fct_opportunities' as figure
    from performance_totals cross join core_totals
    where
        performance_totals.new_customers != core_totals.new_customers
        or performance_totals.tier_new_customers != core_totals.new_customers
    union all
    select 'icp performance allocated spend vs fct_marketing_spend_daily' as figure
    from performance_totals cross join core_totals
    where
        abs(performance_totals.paid_media_spend_usd - core_totals.paid_media_spend_usd) >= 0.01
        or abs(performance_totals.tier_paid_media_spend_usd - core_totals.paid_media_spend_usd) >= 0.01

)

select * from final
