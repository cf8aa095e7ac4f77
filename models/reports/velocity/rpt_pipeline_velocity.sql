-- Grain: one row per calendar month (from the month of the first deal to as_of_date's month) and segment:
-- segment_type 'all' (segment_value 'all'), 'channel' (the deal's channel) or 'icp_tier' (A/B/C, 'unknown').
-- Closed-deal metrics read the deals closed in the month and, as trailing_*, the deals closed in the
-- trailing_window_months months up to the month's end (as_of_date for the current month).
-- Open qualified pipeline is counted at the month's end:
-- rebuilt from creation, close date and stage history for past months, the governed is_qualified_pipeline
-- flag of fct_opportunities for the current month (at as_of_date).
{%- set trailing_months = var('trailing_window_months') | int %}

with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

stage_history as (

    select * from {{ ref('fct_opportunity_stage_history') }}

),

stage_mapping as (

    select * from {{ ref('int_stage_names_resolved') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

qualified_stages as (

    select distinct stage
    from stage_mapping
    where is_qualified_pipeline

),

deal_dates as (

    select cast(created_at as date) as deal_date
    from opportunities
    union all
    select close_date as deal_date
    from opportunities

),

first_deal as (

    select min(deal_date) as first_deal_date
    from deal_dates

),

calendar_months as (

    -- dim_dates ends at as_of_date, so the current month ends there
    select
        dates.month_start_date,
        max(dates.date_day) as month_end_date
    from dates
    inner join first_deal
        on dates.date_day >= first_deal.first_deal_date
    group by dates.month_start_date

),

months as (

    -- the trailing window is the trailing_window_months months up to the month's end: whole calendar months
    -- for a past month, the same length up to as_of_date for the current one
    select
        month_start_date,
        month_end_date,
        month_end_date = {{ as_of_date() }} as is_current_month,
        cast(
            {{ dbt.dateadd('month', -trailing_months, dbt.dateadd('day', 1, 'month_end_date')) }} as date
        ) as trailing_window_start_date
    from calendar_months

),

deal_segments as (

    -- every deal once under each segment type
    select
        opportunity_id,
        'all' as segment_type,
        'all' as segment_value
    from opportunities
    union all
    select
        opportunity_id,
        'channel' as segment_type,
        coalesce(channel, 'unattributed') as segment_value
    from opportunities
    union all
    select
        opportunity_id,
        'icp_tier' as segment_type,
        coalesce(icp_tier, 'unknown') as segment_value
    from opportunities

),

segments as (

    select distinct
        segment_type,
        segment_value
    from deal_segments

),

spine as (

    select
        months.month_start_date,
        months.month_end_date,
        months.is_current_month,
        months.trailing_window_start_date,
        segments.segment_type,
        segments.segment_value
    from months
    cross join segments

),

closed_deals as (

    select
        opportunity_id,
        close_date,
        cast({{ dbt.date_trunc('month', 'close_date') }} as date) as close_month_start_date,
        is_won,
        is_lost,
        amount_usd,
        sales_cycle_days
    from opportunities
    where is_closed and close_date <= {{ as_of_date() }}

),

closed_in_window as (

    -- each closed deal under the month it closed in ('month') and under every month whose trailing window
    -- holds its close date ('trailing')
    select
        months.month_start_date,
        'month' as window_type,
        closed_deals.opportunity_id,
        closed_deals.is_won,
        closed_deals.is_lost,
        closed_deals.amount_usd,
        closed_deals.sales_cycle_days
    from months
    inner join closed_deals
        on months.month_start_date = closed_deals.close_month_start_date
    union all
    select
        months.month_start_date,
        'trailing' as window_type,
        closed_deals.opportunity_id,
        closed_deals.is_won,
        closed_deals.is_lost,
        closed_deals.amount_usd,
        closed_deals.sales_cycle_days
    from months
    inner join closed_deals
        on
            months.trailing_window_start_date <= closed_deals.close_date
            and months.month_end_date >= closed_deals.close_date

),

closed_aggregated as (

    -- deals without an amount count in the win rate and weigh nothing in amounts and deal size; a null
    -- (inverted) sales cycle is left out of the cycle statistics
    select
        closed_in_window.month_start_date,
        closed_in_window.window_type,
        deal_segments.segment_type,
        deal_segments.segment_value,
        sum(case when closed_in_window.is_won then 1 else 0 end) as won_deals,
        sum(case when closed_in_window.is_lost then 1 else 0 end) as lost_deals,
        sum(
            case when closed_in_window.is_won and closed_in_window.amount_usd is null then 1 else 0 end
        ) as won_deals_without_amount,
        sum(
            case when closed_in_window.is_lost and closed_in_window.amount_usd is null then 1 else 0 end
        ) as lost_deals_without_amount,
        sum(case when closed_in_window.is_won then closed_in_window.amount_usd end) as won_amount_usd,
        sum(case when closed_in_window.is_lost then closed_in_window.amount_usd end) as lost_amount_usd,
        avg(case when closed_in_window.is_won then closed_in_window.amount_usd end) as average_won_deal_usd,
        percentile_cont(0.5) within group (
            order by case when closed_in_window.is_won then closed_in_window.sales_cycle_days end
        ) as median_sales_cycle_days,
        avg(
            case when closed_in_window.is_won then closed_in_window.sales_cycle_days end
        ) as mean_sales_cycle_days
    from closed_in_window
    inner join deal_segments
        on closed_in_window.opportunity_id = deal_segments.opportunity_id
    group by
        closed_in_window.month_start_date,
        closed_in_window.window_type,
        deal_segments.segment_type,
        deal_segments.segment_value

),

first_visits as (

    select
        opportunity_id,
        stage as first_stage
    from stage_history
    where visit_number = 1

),

open_at_past_month_end as (

    -- deals created by the end of the month and not closed by then, in the stage of the visit that spans
    -- the month's end (before the first recorded change: the first recorded stage; no history at all: the
    -- current stage)
    select
        months.month_start_date,
        opportunities.opportunity_id,
        coalesce(spanning_visits.stage, first_visits.first_stage, opportunities.stage) as stage_at_month_end
    from months
    inner join opportunities
        on
            months.month_end_date >= cast(opportunities.created_at as date)
            and (opportunities.close_date is null or months.month_end_date < opportunities.close_date)
    left join stage_history as spanning_visits
        on
            opportunities.opportunity_id = spanning_visits.opportunity_id
            and cast(spanning_visits.entered_at as date) <= months.month_end_date
            and (
                spanning_visits.exited_at is null
                or cast(spanning_visits.exited_at as date) > months.month_end_date
            )
    left join first_visits
        on opportunities.opportunity_id = first_visits.opportunity_id
    where not months.is_current_month

),

open_qualified as (

    select
        open_at_past_month_end.month_start_date,
        open_at_past_month_end.opportunity_id
    from open_at_past_month_end
    inner join qualified_stages
        on open_at_past_month_end.stage_at_month_end = qualified_stages.stage
    union all
    select
        months.month_start_date,
        opportunities.opportunity_id
    from months
    cross join opportunities
    where months.is_current_month and opportunities.is_qualified_pipeline

),

open_qualified_aggregated as (

    select
        open_qualified.month_start_date,
        deal_segments.segment_type,
        deal_segments.segment_value,
        count(*) as open_qualified_opportunities
    from open_qualified
    inner join deal_segments
        on open_qualified.opportunity_id = deal_segments.opportunity_id
    group by
        open_qualified.month_start_date,
        deal_segments.segment_type,
        deal_segments.segment_value

),

joined as (

    select
        spine.month_start_date,
        spine.segment_type,
        spine.segment_value,
        spine.month_end_date,
        spine.is_current_month,
        spine.trailing_window_start_date,
        coalesce(in_month.won_deals, 0) as won_deals,
        coalesce(in_month.lost_deals, 0) as lost_deals,
        coalesce(in_month.won_deals_without_amount, 0) as won_deals_without_amount,
        coalesce(in_month.lost_deals_without_amount, 0) as lost_deals_without_amount,
        coalesce(in_month.won_amount_usd, 0) as won_amount_usd,
        coalesce(in_month.lost_amount_usd, 0) as lost_amount_usd,
        in_month.average_won_deal_usd,
        in_month.median_sales_cycle_days,
        in_month.mean_sales_cycle_days,
        coalesce(trailing_window.won_deals, 0) as trailing_won_deals,
        coalesce(trailing_window.lost_deals, 0) as trailing_lost_deals,
        coalesce(trailing_window.won_amount_usd, 0) as trailing_won_amount_usd,
        coalesce(trailing_window.lost_amount_usd, 0) as trailing_lost_amount_usd,
        trailing_window.average_won_deal_usd as trailing_average_won_deal_usd,
        trailing_window.median_sales_cycle_days as trailing_median_sales_cycle_days,
        trailing_window.mean_sales_cycle_days as trailing_mean_sales_cycle_days,
        coalesce(open_qualified_aggregated.open_qualified_opportunities, 0) as open_qualified_opportunities
    from spine
    left join closed_aggregated as in_month
        on
            spine.month_start_date = in_month.month_start_date
            and spine.segment_type = in_month.segment_type
            and spine.segment_value = in_month.segment_value
            and in_month.window_type = 'month'
    left join closed_aggregated as trailing_window
        on
            spine.month_start_date = trailing_window.month_start_date
            and spine.segment_type = trailing_window.segment_type
            and spine.segment_value = trailing_window.segment_value
            and trailing_window.window_type = 'trailing'
    left join open_qualified_aggregated
        on
            spine.month_start_date = open_qualified_aggregated.month_start_date
            and spine.segment_type = open_qualified_aggregated.segment_type
            and spine.segment_value = open_qualified_aggregated.segment_value

),

rated as (

    select
        *,
        {{ win_rate('won_deals', 'lost_deals') }} as win_rate,
        {{ amount_weighted_win_rate('won_amount_usd', 'lost_amount_usd') }} as amount_weighted_win_rate,
        {{ win_rate('trailing_won_deals', 'trailing_lost_deals') }} as trailing_win_rate,
        {{ amount_weighted_win_rate('trailing_won_amount_usd', 'trailing_lost_amount_usd') }}
            as trailing_amount_weighted_win_rate
    from joined

),

final as (

    select
        month_start_date,
        segment_type,
        segment_value,
        month_end_date,
        is_current_month,
        cast(won_deals as {{ dbt.type_bigint() }}) as won_deals,
        cast(lost_deals as {{ dbt.type_bigint() }}) as lost_deals,
        cast(won_deals_without_amount as {{ dbt.type_bigint() }}) as won_deals_without_amount,
        cast(lost_deals_without_amount as {{ dbt.type_bigint() }}) as lost_deals_without_amount,
        win_rate,
        cast(won_amount_usd as {{ dbt.type_numeric() }}) as won_amount_usd,
        cast(lost_amount_usd as {{ dbt.type_numeric() }}) as lost_amount_usd,
        amount_weighted_win_rate,
        cast(average_won_deal_usd as {{ dbt.type_numeric() }}) as average_won_deal_usd,
        median_sales_cycle_days,
        mean_sales_cycle_days,
        trailing_window_start_date,
        cast(trailing_won_deals as {{ dbt.type_bigint() }}) as trailing_won_deals,
        cast(trailing_lost_deals as {{ dbt.type_bigint() }}) as trailing_lost_deals,
        trailing_win_rate,
        trailing_amount_weighted_win_rate,
        cast(trailing_average_won_deal_usd as {{ dbt.type_numeric() }}) as trailing_average_won_deal_usd,
        trailing_median_sales_cycle_days,
        trailing_mean_sales_cycle_days,
        cast(open_qualified_opportunities as {{ dbt.type_bigint() }}) as open_qualified_opportunities,
        cast(
            {{ pipeline_velocity(
                'open_qualified_opportunities',
                'trailing_win_rate',
                'trailing_average_won_deal_usd',
                'trailing_mean_sales_cycle_days',
            ) }} as {{ dbt.type_numeric() }}
        ) as pipeline_velocity_usd_per_day
    from rated

)

select * from final
