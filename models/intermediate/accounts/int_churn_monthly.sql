-- Grain: one row per month, ICP tier and acquisition channel, with 'all' rows for each tier, each channel
-- and the company total (icp_tier = acquisition_channel = 'all'). Logo churn: customers live at the month's
-- start that had no live subscription left at its end, over customers live at its start; MRR churn: their
-- starting MRR over all starting MRR. ARPA is starting MRR per customer. LTV divides by the logo churn of the
-- trailing_window_months months ending in the row's month, pooled (churned / live at start, summed over
-- the window), so a month without churn does not make it infinite; trailing figures are null until the
-- window is complete. LTV:CAC (company total only) uses the trailing blended CAC of the same window.
-- rpt_churn publishes it; rpt_icp_performance reads each tier's churn and LTV here.
{%- set window_months = var('trailing_window_months') | int %}
{%- set trailing_frame -%}
    partition by icp_tier, acquisition_channel order by month_start_date
    rows between {{ window_months - 1 }} preceding and current row
{%- endset %}
with

customer_months as (

    select * from {{ ref('int_account_months_retained') }}

),

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

acquisition_costs as (

    select * from {{ ref('int_acquisition_costs_monthly') }}
    where channel = 'all'

),

segmented as (

    select
        month_start_date,
        icp_tier,
        acquisition_channel,
        is_churned,
        starting_mrr_usd,
        churned_mrr_usd
    from customer_months
    union all
    select
        month_start_date,
        icp_tier,
        'all' as acquisition_channel,
        is_churned,
        starting_mrr_usd,
        churned_mrr_usd
    from customer_months
    union all
    select
        month_start_date,
        'all' as icp_tier,
        acquisition_channel,
        is_churned,
        starting_mrr_usd,
        churned_mrr_usd
    from customer_months
    union all
    select
        month_start_date,
        'all' as icp_tier,
        'all' as acquisition_channel,
        is_churned,
        starting_mrr_usd,
        churned_mrr_usd
    from customer_months

),

segments as (

    select distinct
        icp_tier,
        acquisition_channel
    from segmented

),

bounds as (

    select min(month_start_date) as first_month_start_date
    from customer_months

),

months as (

    -- every month from the first with a live customer to as_of_date, so trailing windows count months
    select distinct calendar.month_start_date
    from calendar
    inner join bounds
        on calendar.month_start_date >= bounds.first_month_start_date

),

monthly as (

    select
        month_start_date,
        icp_tier,
        acquisition_channel,
        count(*) as customers_at_start,
        sum(case when is_churned then 1 else 0 end) as customers_churned,
        sum(starting_mrr_usd) as starting_mrr_usd,
        sum(churned_mrr_usd) as churned_mrr_usd
    from segmented
    group by month_start_date, icp_tier, acquisition_channel

),

filled as (

    select
        months.month_start_date,
        segments.icp_tier,
        segments.acquisition_channel,
        coalesce(monthly.customers_at_start, 0) as customers_at_start,
        coalesce(monthly.customers_churned, 0) as customers_churned,
        coalesce(monthly.starting_mrr_usd, 0) as starting_mrr_usd,
        coalesce(monthly.churned_mrr_usd, 0) as churned_mrr_usd
    from months
    cross join segments
    left join monthly
        on
            months.month_start_date = monthly.month_start_date
            and segments.icp_tier = monthly.icp_tier
            and segments.acquisition_channel = monthly.acquisition_channel

),

windowed as (

    select
        *,
        count(*) over ({{ trailing_frame }}) as months_in_window,
        sum(customers_at_start) over ({{ trailing_frame }}) as trailing_customers_at_start,
        sum(customers_churned) over ({{ trailing_frame }}) as trailing_customers_churned,
        sum(starting_mrr_usd) over ({{ trailing_frame }}) as trailing_starting_mrr_usd,
        sum(churned_mrr_usd) over ({{ trailing_frame }}) as trailing_churned_mrr_usd
    from filled

),

rates as (

    select
        *,
        {{ safe_divide('customers_churned', 'customers_at_start') }} as logo_churn_rate,
        {{ safe_divide('churned_mrr_usd', 'starting_mrr_usd') }} as mrr_churn_rate,
        {{ safe_divide('starting_mrr_usd', 'customers_at_start') }} as arpa_usd,
        case
            when months_in_window = {{ window_months }}
                then {{ safe_divide('trailing_customers_churned', 'trailing_customers_at_start') }}
        end as trailing_logo_churn_rate,
        case
            when months_in_window = {{ window_months }}
                then {{ safe_divide('trailing_churned_mrr_usd', 'trailing_starting_mrr_usd') }}
        end as trailing_mrr_churn_rate
    from windowed

),

valued as (

    select
        rates.*,
        {{ lifetime_value('rates.arpa_usd', 'rates.trailing_logo_churn_rate') }} as ltv_usd,
        case
            when rates.icp_tier = 'all' and rates.acquisition_channel = 'all'
                then acquisition_costs.trailing_blended_cac_usd
        end as trailing_blended_cac_usd
    from rates
    left join acquisition_costs
        on rates.month_start_date = acquisition_costs.month_start_date

),

final as (

    select
        month_start_date,
        icp_tier,
        acquisition_channel,
        {{ dbt.dateadd('month', 1, 'month_start_date') }} <= {{ as_of_date() }} as is_complete_month,
        cast(customers_at_start as {{ dbt.type_bigint() }}) as customers_at_start,
        cast(customers_churned as {{ dbt.type_bigint() }}) as customers_churned,
        logo_churn_rate,
        cast(starting_mrr_usd as {{ dbt.type_numeric() }}) as starting_mrr_usd,
        cast(churned_mrr_usd as {{ dbt.type_numeric() }}) as churned_mrr_usd,
        mrr_churn_rate,
        cast(round(cast(arpa_usd as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_numeric() }}) as arpa_usd,
        cast(months_in_window as {{ dbt.type_bigint() }}) as months_in_window,
        cast(trailing_customers_at_start as {{ dbt.type_bigint() }}) as trailing_customers_at_start,
        cast(trailing_customers_churned as {{ dbt.type_bigint() }}) as trailing_customers_churned,
        trailing_logo_churn_rate,
        trailing_mrr_churn_rate,
        cast(round(cast(ltv_usd as {{ dbt.type_numeric() }}), 2) as {{ dbt.type_numeric() }}) as ltv_usd,
        trailing_blended_cac_usd,
        {{ safe_divide('ltv_usd', 'trailing_blended_cac_usd') }} as ltv_to_cac_ratio
    from valued

)

select * from final
