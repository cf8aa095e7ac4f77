-- Grain: one row per month (from the first deal's to as_of_date's) and segment (segment_type all / owner /
-- channel / icp_tier) with pipeline due at the month's start, deals won in it, or a target: the pipeline due by
-- the month's end as it stood when the month opened, by forecast category (Commit, Best Case, Pipeline: the
-- deal's state then, int_opportunity_states_sequenced), against what closed won in the month
-- (int_pipeline_movements_classified) and the segment's quota (seeds/targets.csv): how good the call was, how
-- much of each category came true, and pipeline coverage of the quota.
with

states as (

    select * from {{ ref('int_opportunity_states_sequenced') }}

),

movements as (

    select * from {{ ref('int_pipeline_movements_classified') }}
    where period_grain = 'month'

),

targets as (

    select * from {{ ref('targets') }}

),

months as (

    select distinct period_start_date as month_start_date
    from movements

),

opening as (

    -- each deal due by the month's end as the month opened, in its forecast category then
    select
        months.month_start_date,
        states.opportunity_id,
        coalesce(states.forecast_category, 'Pipeline') as forecast_category,
        coalesce(states.amount_usd, 0) as amount_usd,
        -- per deal in double precision (probability is a 4-byte float on DuckDB), then a decimal: sums of
        -- decimals do not depend on the order the engine adds them in
        cast(
            coalesce(states.amount_usd, 0) * cast(coalesce(states.probability, 0) as {{ type_double() }}) / 100
            as {{ dbt.type_numeric() }}
        ) as weighted_usd
    from months
    inner join states
        on
            states.valid_from < {{ dbt.cast('months.month_start_date', dbt.type_timestamp()) }}
            and (
                states.valid_to is null
                or states.valid_to >= {{ dbt.cast('months.month_start_date', dbt.type_timestamp()) }}
            )
            and states.close_date < cast({{ dbt.dateadd('month', 1, 'months.month_start_date') }} as date)
    where states.is_open

),

won as (

    select
        period_start_date as month_start_date,
        opportunity_id,
        won_usd
    from movements
    where won_count > 0

),

deals as (

    select
        coalesce(opening.month_start_date, won.month_start_date) as month_start_date,
        coalesce(opening.opportunity_id, won.opportunity_id) as opportunity_id,
        opening.forecast_category,
        coalesce(opening.amount_usd, 0) as opening_usd,
        coalesce(opening.weighted_usd, 0) as weighted_usd,
        coalesce(won.won_usd, 0) as won_usd,
        won.opportunity_id is not null as is_won_in_month
    from opening
    full outer join won
        on
            opening.month_start_date = won.month_start_date
            and opening.opportunity_id = won.opportunity_id

),

deal_segments as (

    select * from {{ ref('int_opportunities_segmented') }}

),

aggregated as (

    select
        deals.month_start_date,
        deal_segments.segment_type,
        deal_segments.segment_value,
        sum(deals.opening_usd) as opening_pipeline_usd,
        sum(case when deals.forecast_category = 'Commit' then deals.opening_usd else 0 end) as opening_commit_usd,
        sum(case when deals.forecast_category = 'Best Case' then deals.opening_usd else 0 end)
            as opening_best_case_usd,
        sum(case when deals.forecast_category not in ('Commit', 'Best Case') then deals.opening_usd else 0 end)
            as opening_other_pipeline_usd,
        sum(deals.weighted_usd) as opening_weighted_pipeline_usd,
        sum(deals.won_usd) as won_usd,
        sum(case when deals.forecast_category = 'Commit' then deals.won_usd else 0 end) as won_from_commit_usd,
        sum(case when deals.forecast_category = 'Best Case' then deals.won_usd else 0 end) as won_from_best_case_usd,
        sum(case when deals.forecast_category not in ('Commit', 'Best Case') then deals.won_usd else 0 end)
            as won_from_other_pipeline_usd,
        sum(case when deals.forecast_category is null then deals.won_usd else 0 end) as won_not_due_at_start_usd
    from deals
    inner join deal_segments
        on deals.opportunity_id = deal_segments.opportunity_id
    group by deals.month_start_date, deal_segments.segment_type, deal_segments.segment_value

),

with_targets as (

    select
        coalesce(aggregated.month_start_date, targets.month_start_date) as month_start_date,
        coalesce(aggregated.segment_type, targets.segment_type) as segment_type,
        coalesce(aggregated.segment_value, targets.segment_value) as segment_value,
        coalesce(aggregated.opening_pipeline_usd, 0) as opening_pipeline_usd,
        coalesce(aggregated.opening_commit_usd, 0) as opening_commit_usd,
        coalesce(aggregated.opening_best_case_usd, 0) as opening_best_case_usd,
        coalesce(aggregated.opening_other_pipeline_usd, 0) as opening_other_pipeline_usd,
        coalesce(aggregated.opening_weighted_pipeline_usd, 0) as opening_weighted_pipeline_usd,
        coalesce(aggregated.won_usd, 0) as won_usd,
        coalesce(aggregated.won_from_commit_usd, 0) as won_from_commit_usd,
        coalesce(aggregated.won_from_best_case_usd, 0) as won_from_best_case_usd,
        coalesce(aggregated.won_from_other_pipeline_usd, 0) as won_from_other_pipeline_usd,
        coalesce(aggregated.won_not_due_at_start_usd, 0) as won_not_due_at_start_usd,
        targets.quota_usd
    from aggregated
    full outer join targets
        on
            aggregated.month_start_date = targets.month_start_date
            and aggregated.segment_type = targets.segment_type
            and aggregated.segment_value = targets.segment_value

),

final as (

    select
        month_start_date,
        segment_type,
        segment_value,
        {{ as_of_date() }} < cast({{ dbt.dateadd('month', 1, 'month_start_date') }} as date) as is_current_month,
        cast(opening_pipeline_usd as {{ dbt.type_numeric() }}) as opening_pipeline_usd,
        cast(opening_commit_usd as {{ dbt.type_numeric() }}) as opening_commit_usd,
        cast(opening_best_case_usd as {{ dbt.type_numeric() }}) as opening_best_case_usd,
        cast(opening_other_pipeline_usd as {{ dbt.type_numeric() }}) as opening_other_pipeline_usd,
        cast(opening_weighted_pipeline_usd as {{ dbt.type_numeric() }}) as opening_weighted_pipeline_usd,
        cast(won_usd as {{ dbt.type_numeric() }}) as won_usd,
        cast(won_from_commit_usd as {{ dbt.type_numeric() }}) as won_from_commit_usd,
        cast(won_from_best_case_usd as {{ dbt.type_numeric() }}) as won_from_best_case_usd,
        cast(won_from_other_pipeline_usd as {{ dbt.type_numeric() }}) as won_from_other_pipeline_usd,
        cast(won_not_due_at_start_usd as {{ dbt.type_numeric() }}) as won_not_due_at_start_usd,
        cast({{ safe_divide('won_usd', 'opening_commit_usd') }} as {{ type_double() }}) as won_to_commit_ratio,
        cast({{ safe_divide('won_from_commit_usd', 'opening_commit_usd') }} as {{ type_double() }})
            as commit_conversion_rate,
        cast({{ safe_divide('won_usd', 'opening_weighted_pipeline_usd') }} as {{ type_double() }})
            as won_to_weighted_pipeline_ratio,
        cast(quota_usd as {{ dbt.type_numeric() }}) as quota_usd,
        cast({{ safe_divide('opening_pipeline_usd', 'quota_usd') }} as {{ type_double() }}) as pipeline_coverage,
        cast({{ safe_divide('won_usd', 'quota_usd') }} as {{ type_double() }}) as quota_attainment
    from with_targets
    where month_start_date <= {{ as_of_date() }}

)

select * from final
