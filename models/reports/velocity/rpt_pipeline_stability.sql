-- Grain: one row per calendar month (from the month of the first deal created to as_of_date's month):
-- qualified pipeline created in the month, its change on the month before and its trailing coefficient of
-- variation. A deal is qualified pipeline created in the month it was created when it reached a qualified
-- stage (a visit in its history, its current stage) or was won (a won deal passed qualification, dated or
-- not). Recent months are immature: deals created there may still reach qualification.
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

visited_qualified as (

    select distinct stage_history.opportunity_id
    from stage_history
    inner join qualified_stages
        on stage_history.stage = qualified_stages.stage

),

qualified_created as (

    select
        opportunities.opportunity_id,
        cast({{ dbt.date_trunc('month', 'opportunities.created_at') }} as date) as created_month_start_date,
        opportunities.amount_usd
    from opportunities
    left join visited_qualified
        on opportunities.opportunity_id = visited_qualified.opportunity_id
    where
        opportunities.created_at is not null
        and (
            visited_qualified.opportunity_id is not null
            or opportunities.is_qualified_pipeline
            or opportunities.is_won
        )

),

first_deal as (

    select min(cast(created_at as date)) as first_created_date
    from opportunities

),

months as (

    select dates.month_start_date
    from dates
    inner join first_deal
        on dates.date_day >= first_deal.first_created_date
    group by dates.month_start_date

),

monthly as (

    select
        months.month_start_date,
        count(qualified_created.opportunity_id) as qualified_opportunities_created,
        count(qualified_created.opportunity_id) - count(qualified_created.amount_usd)
            as qualified_opportunities_without_amount,
        coalesce(sum(qualified_created.amount_usd), 0) as qualified_pipeline_created_usd
    from months
    left join qualified_created
        on months.month_start_date = qualified_created.created_month_start_date
    group by months.month_start_date

),

compared as (

    select
        *,
        lag(qualified_opportunities_created) over (order by month_start_date)
            as previous_qualified_opportunities_created,
        lag(qualified_pipeline_created_usd) over (order by month_start_date)
            as previous_qualified_pipeline_created_usd,
        count(*) over (
            order by month_start_date rows between {{ trailing_months - 1 }} preceding and current row
        ) as trailing_window_months_available,
        avg(qualified_opportunities_created) over (
            order by month_start_date rows between {{ trailing_months - 1 }} preceding and current row
        ) as trailing_mean_opportunities_created,
        stddev_samp(qualified_opportunities_created) over (
            order by month_start_date rows between {{ trailing_months - 1 }} preceding and current row
        ) as trailing_stddev_opportunities_created,
        avg(qualified_pipeline_created_usd) over (
            order by month_start_date rows between {{ trailing_months - 1 }} preceding and current row
        ) as trailing_mean_pipeline_created_usd,
        stddev_samp(qualified_pipeline_created_usd) over (
            order by month_start_date rows between {{ trailing_months - 1 }} preceding and current row
        ) as trailing_stddev_pipeline_created_usd
    from monthly

),

final as (

    select
        month_start_date,
        month_start_date = cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as is_current_month,
        qualified_opportunities_created,
        qualified_opportunities_without_amount,
        cast(qualified_pipeline_created_usd as {{ dbt.type_numeric() }}) as qualified_pipeline_created_usd,
        qualified_opportunities_created - previous_qualified_opportunities_created
            as opportunities_created_change,
        {{ safe_divide(
            'qualified_opportunities_created - previous_qualified_opportunities_created',
            'previous_qualified_opportunities_created',
        ) }} as opportunities_created_relative_change,
        cast(
            qualified_pipeline_created_usd - previous_qualified_pipeline_created_usd as {{ dbt.type_numeric() }}
        ) as pipeline_created_usd_change,
        {{ safe_divide(
            'qualified_pipeline_created_usd - previous_qualified_pipeline_created_usd',
            'previous_qualified_pipeline_created_usd',
        ) }} as pipeline_created_usd_relative_change,
        trailing_window_months_available,
        cast(
            {{ safe_divide('trailing_stddev_opportunities_created', 'trailing_mean_opportunities_created') }}
            as {{ type_double() }}
        ) as opportunities_created_trailing_coefficient_of_variation,
        cast(
            {{ safe_divide('trailing_stddev_pipeline_created_usd', 'trailing_mean_pipeline_created_usd') }}
            as {{ type_double() }}
        ) as pipeline_created_usd_trailing_coefficient_of_variation
    from compared

)

select * from final
