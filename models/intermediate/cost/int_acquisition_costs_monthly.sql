-- Grain: one row per month and channel, plus one row per month with channel = 'all' (the company total).
-- New customers (an account's first won New Business deal, in its close month, credited to the deal's
-- channel), paid media spend and the GTM expenses attributable to the channel, paid CAC, and on the 'all'
-- rows blended CAC and CAC payback. Costs and customers that cannot be attributed stay under
-- 'unattributed' / 'unmapped'; nothing is spread. A month's CAC is null while its cost feeds hold no row
-- for it (not recorded is not zero); trailing_* figures cover the trailing_window_months months ending in
-- the row's month and are null until that window is complete. rpt_customer_acquisition_cost publishes it;
-- int_churn_monthly reads the trailing blended CAC for LTV:CAC.
{%- set window_months = var('trailing_window_months') | int %}
{%- set trailing_frame -%}
    partition by channel order by month_start_date rows between {{ window_months - 1 }} preceding and current row
{%- endset %}
with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

spend as (

    select * from {{ ref('int_marketing_spend_in_usd') }}

),

expenses as (

    select * from {{ ref('int_expenses_in_usd') }}

),

subscriptions as (

    select * from {{ ref('int_subscriptions_enriched') }}

),

channel_mapping as (

    select * from {{ ref('channel_mapping') }}

),

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

channels as (

    select
        channel,
        {{ dbt.bool_or('coalesce(is_paid, false)') }} as is_paid_channel
    from channel_mapping
    group by channel
    union all
    select
        'unmapped' as channel,
        false as is_paid_channel
    union all
    select
        'unattributed' as channel,
        false as is_paid_channel

),

first_subscription_starts as (

    select
        account_id,
        min(started_at) as first_started_at
    from subscriptions
    where account_id is not null
    group by account_id

),

initial_mrr as (

    -- a new customer's new MRR: the subscriptions it started first
    select
        subscriptions.account_id,
        sum(subscriptions.mrr_usd) as new_mrr_usd
    from subscriptions
    inner join first_subscription_starts
        on
            subscriptions.account_id = first_subscription_starts.account_id
            and subscriptions.started_at = first_subscription_starts.first_started_at
    group by subscriptions.account_id

),

new_customers as (

    select
        cast({{ dbt.date_trunc('month', 'opportunities.close_date') }} as date) as month_start_date,
        coalesce(channels.channel, 'unmapped') as channel,
        count(*) as new_customers,
        count(initial_mrr.account_id) as new_customers_with_subscription,
        coalesce(sum(initial_mrr.new_mrr_usd), 0) as new_mrr_usd
    from opportunities
    left join channels
        on coalesce(opportunities.channel, 'unattributed') = channels.channel
    left join initial_mrr
        on opportunities.account_id = initial_mrr.account_id
    where opportunities.is_new_customer
    group by
        cast({{ dbt.date_trunc('month', 'opportunities.close_date') }} as date),
        coalesce(channels.channel, 'unmapped')

),

paid_media as (

    select
        cast({{ dbt.date_trunc('month', 'spend.spend_date') }} as date) as month_start_date,
        coalesce(channels.channel, 'unmapped') as channel,
        sum(spend.spend_usd) as paid_media_spend_usd
    from spend
    left join channels
        on spend.channel = channels.channel
    group by
        cast({{ dbt.date_trunc('month', 'spend.spend_date') }} as date),
        coalesce(channels.channel, 'unmapped')

),

gtm_expenses as (

    select
        cast({{ dbt.date_trunc('month', 'expenses.expense_month') }} as date) as month_start_date,
        coalesce(channels.channel, 'unmapped') as channel,
        sum(case when expenses.category = 'program' then expenses.amount_usd else 0 end) as program_expense_usd,
        sum(case when expenses.category = 'agency' then expenses.amount_usd else 0 end) as agency_expense_usd,
        sum(case when expenses.category = 'events' then expenses.amount_usd else 0 end) as events_expense_usd,
        sum(case when expenses.category = 'headcount' then expenses.amount_usd else 0 end) as headcount_expense_usd,
        sum(case when expenses.category = 'tools' then expenses.amount_usd else 0 end) as tools_expense_usd
    from expenses
    left join channels
        on expenses.channel = channels.channel
    where expenses.department in ('marketing', 'sales')
    group by
        cast({{ dbt.date_trunc('month', 'expenses.expense_month') }} as date),
        coalesce(channels.channel, 'unmapped')

),

active_months as (

    select month_start_date from new_customers
    union all
    select month_start_date from paid_media
    union all
    select month_start_date from gtm_expenses

),

bounds as (

    select min(month_start_date) as first_month_start_date
    from active_months

),

months as (

    -- every month from the first with a customer or a cost to as_of_date, so trailing windows count months
    select distinct calendar.month_start_date
    from calendar
    inner join bounds
        on calendar.month_start_date >= bounds.first_month_start_date

),

by_channel as (

    select
        months.month_start_date,
        channels.channel,
        channels.is_paid_channel,
        coalesce(new_customers.new_customers, 0) as new_customers,
        coalesce(new_customers.new_customers_with_subscription, 0) as new_customers_with_subscription,
        coalesce(new_customers.new_mrr_usd, 0) as new_mrr_usd,
        coalesce(paid_media.paid_media_spend_usd, 0) as paid_media_spend_usd,
        coalesce(gtm_expenses.program_expense_usd, 0) as program_expense_usd,
        coalesce(gtm_expenses.agency_expense_usd, 0) as agency_expense_usd,
        coalesce(gtm_expenses.events_expense_usd, 0) as events_expense_usd,
        coalesce(gtm_expenses.headcount_expense_usd, 0) as headcount_expense_usd,
        coalesce(gtm_expenses.tools_expense_usd, 0) as tools_expense_usd
    from months
    cross join channels
    left join new_customers
        on
            months.month_start_date = new_customers.month_start_date
            and channels.channel = new_customers.channel
    left join paid_media
        on
            months.month_start_date = paid_media.month_start_date
            and channels.channel = paid_media.channel
    left join gtm_expenses
        on
            months.month_start_date = gtm_expenses.month_start_date
            and channels.channel = gtm_expenses.channel

),

totals as (

    select
        month_start_date,
        'all' as channel,
        cast(null as {{ dbt.type_boolean() }}) as is_paid_channel,
        sum(new_customers) as new_customers,
        sum(new_customers_with_subscription) as new_customers_with_subscription,
        sum(new_mrr_usd) as new_mrr_usd,
        sum(paid_media_spend_usd) as paid_media_spend_usd,
        sum(program_expense_usd) as program_expense_usd,
        sum(agency_expense_usd) as agency_expense_usd,
        sum(events_expense_usd) as events_expense_usd,
        sum(headcount_expense_usd) as headcount_expense_usd,
        sum(tools_expense_usd) as tools_expense_usd
    from by_channel
    group by month_start_date

),

combined as (

    select * from by_channel
    union all
    select * from totals

),

spend_months as (

    select distinct month_start_date
    from paid_media

),

expense_months as (

    select distinct month_start_date
    from gtm_expenses

),

coverage as (

    -- a month a cost feed holds no row for is not recorded (its CAC is unknown), not a month without cost
    select
        months.month_start_date,
        spend_months.month_start_date is not null as has_spend_data,
        expense_months.month_start_date is not null as has_expense_data
    from months
    left join spend_months
        on months.month_start_date = spend_months.month_start_date
    left join expense_months
        on months.month_start_date = expense_months.month_start_date

),

with_coverage as (

    select
        combined.*,
        combined.paid_media_spend_usd
        + combined.program_expense_usd
        + combined.agency_expense_usd
        + combined.events_expense_usd
        + combined.headcount_expense_usd
        + combined.tools_expense_usd as blended_cost_usd,
        coverage.has_spend_data,
        coverage.has_expense_data
    from combined
    inner join coverage
        on combined.month_start_date = coverage.month_start_date

),

windowed as (

    select
        *,
        count(*) over ({{ trailing_frame }}) as months_in_window,
        sum(case when has_spend_data then 1 else 0 end) over ({{ trailing_frame }}) as spend_months_in_window,
        sum(case when has_expense_data then 1 else 0 end) over ({{ trailing_frame }}) as expense_months_in_window,
        sum(new_customers) over ({{ trailing_frame }}) as trailing_new_customers,
        sum(new_customers_with_subscription) over ({{ trailing_frame }}) as trailing_new_customers_with_subscription,
        sum(new_mrr_usd) over ({{ trailing_frame }}) as trailing_new_mrr_usd,
        sum(paid_media_spend_usd) over ({{ trailing_frame }}) as trailing_paid_media_spend_usd,
        sum(blended_cost_usd) over ({{ trailing_frame }}) as trailing_blended_cost_usd
    from with_coverage

),

costed as (

    select
        *,
        case
            when (channel = 'all' or is_paid_channel) and has_spend_data
                then {{ customer_acquisition_cost('paid_media_spend_usd', 'new_customers') }}
        end as paid_cac_usd,
        case
            when channel = 'all' and has_spend_data and has_expense_data
                then {{ customer_acquisition_cost('blended_cost_usd', 'new_customers') }}
        end as blended_cac_usd,
        {{ safe_divide('new_mrr_usd', 'new_customers_with_subscription') }} as new_mrr_per_new_customer_usd,
        case
            when (channel = 'all' or is_paid_channel) and spend_months_in_window = {{ window_months }}
                then {{ customer_acquisition_cost('trailing_paid_media_spend_usd', 'trailing_new_customers') }}
        end as trailing_paid_cac_usd,
        case
            when channel = 'all' and spend_months_in_window = {{ window_months }}
                and expense_months_in_window = {{ window_months }}
                then {{ customer_acquisition_cost('trailing_blended_cost_usd', 'trailing_new_customers') }}
        end as trailing_blended_cac_usd,
        {{ safe_divide('trailing_new_mrr_usd', 'trailing_new_customers_with_subscription') }} as trailing_new_mrr_per_new_customer_usd
    from windowed

),

paid_back as (

    select
        *,
        {{ cac_payback_months('blended_cac_usd', 'new_mrr_per_new_customer_usd') }} as cac_payback_months,
        {{ cac_payback_months('trailing_blended_cac_usd', 'trailing_new_mrr_per_new_customer_usd') }} as trailing_cac_payback_months
    from costed

),

final as (

    select
        month_start_date,
        channel,
        is_paid_channel,
        {{ dbt.dateadd('month', 1, 'month_start_date') }} <= {{ as_of_date() }} as is_complete_month,
        has_spend_data,
        has_expense_data,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(new_customers_with_subscription as {{ dbt.type_bigint() }}) as new_customers_with_subscription,
        cast(new_mrr_usd as {{ dbt.type_numeric() }}) as new_mrr_usd,
        cast(paid_media_spend_usd as {{ dbt.type_numeric() }}) as paid_media_spend_usd,
        cast(program_expense_usd as {{ dbt.type_numeric() }}) as program_expense_usd,
        cast(agency_expense_usd as {{ dbt.type_numeric() }}) as agency_expense_usd,
        cast(events_expense_usd as {{ dbt.type_numeric() }}) as events_expense_usd,
        cast(headcount_expense_usd as {{ dbt.type_numeric() }}) as headcount_expense_usd,
        cast(tools_expense_usd as {{ dbt.type_numeric() }}) as tools_expense_usd,
        cast(blended_cost_usd as {{ dbt.type_numeric() }}) as blended_cost_usd,
        cast(round(cast(paid_cac_usd as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_numeric() }}) as paid_cac_usd,
        cast(round(cast(blended_cac_usd as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_numeric() }}) as blended_cac_usd,
        cast(round(cast(new_mrr_per_new_customer_usd as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_numeric() }}) as new_mrr_per_new_customer_usd,
        cac_payback_months,
        cast(months_in_window as {{ dbt.type_bigint() }}) as months_in_window,
        cast(trailing_new_customers as {{ dbt.type_bigint() }}) as trailing_new_customers,
        cast(trailing_paid_media_spend_usd as {{ dbt.type_numeric() }}) as trailing_paid_media_spend_usd,
        cast(trailing_blended_cost_usd as {{ dbt.type_numeric() }}) as trailing_blended_cost_usd,
        cast(round(cast(trailing_paid_cac_usd as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_numeric() }}) as trailing_paid_cac_usd,
        cast(round(cast(trailing_blended_cac_usd as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_numeric() }}) as trailing_blended_cac_usd,
        trailing_cac_payback_months
    from paid_back

)

select * from final
