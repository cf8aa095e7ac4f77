-- Grain: one row per period (period_grain week, from Monday, or month), segment (segment_type all / owner /
-- channel / icp_tier) and segment value, for the periods up to as_of_date's in which the segment had pipeline or
-- movement: the pipeline expected to close in the period as it stood when the period opened, what moved it
-- (int_pipeline_movements_classified decides each deal's movement) and where it closed. Every row holds
-- opening + created + pulled in - pushed out + increased - decreased - won - lost = closing (USD; deals without
-- the amount changes). Each segment type partitions the deals, so its rows add up to the 'all' row.
with

movements as (

    select * from {{ ref('int_pipeline_movements_classified') }}

),

deal_segments as (

    select * from {{ ref('int_opportunities_segmented') }}

),

aggregated as (

    select
        movements.period_grain,
        movements.period_start_date,
        deal_segments.segment_type,
        deal_segments.segment_value,
        sum(movements.opening_pipeline_usd) as opening_pipeline_usd,
        sum(movements.created_usd) as created_usd,
        sum(movements.pulled_in_usd) as pulled_in_usd,
        sum(movements.pushed_out_usd) as pushed_out_usd,
        sum(movements.increased_usd) as increased_usd,
        sum(movements.decreased_usd) as decreased_usd,
        sum(movements.won_usd) as won_usd,
        sum(movements.lost_usd) as lost_usd,
        sum(movements.closing_pipeline_usd) as closing_pipeline_usd,
        sum(movements.opening_pipeline_count) as opening_pipeline_count,
        sum(movements.created_count) as created_count,
        sum(movements.pulled_in_count) as pulled_in_count,
        sum(movements.pushed_out_count) as pushed_out_count,
        sum(movements.increased_count) as increased_count,
        sum(movements.decreased_count) as decreased_count,
        sum(movements.won_count) as won_count,
        sum(movements.lost_count) as lost_count,
        sum(movements.closing_pipeline_count) as closing_pipeline_count
    from movements
    inner join deal_segments
        on movements.opportunity_id = deal_segments.opportunity_id
    group by
        movements.period_grain,
        movements.period_start_date,
        deal_segments.segment_type,
        deal_segments.segment_value

),

final as (

    select
        period_grain,
        period_start_date,
        segment_type,
        segment_value,
        case
            when period_grain = 'week'
                then least(cast({{ dbt.dateadd('day', 6, 'period_start_date') }} as date), {{ as_of_date() }})
            else least(cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'period_start_date')) }} as date), {{ as_of_date() }})
        end as period_end_date,
        case
            when period_grain = 'week'
                then {{ as_of_date() }} < cast({{ dbt.dateadd('day', 7, 'period_start_date') }} as date)
            else {{ as_of_date() }} < cast({{ dbt.dateadd('month', 1, 'period_start_date') }} as date)
        end as is_current_period,
        cast(opening_pipeline_usd as {{ dbt.type_numeric() }}) as opening_pipeline_usd,
        cast(created_usd as {{ dbt.type_numeric() }}) as created_usd,
        cast(pulled_in_usd as {{ dbt.type_numeric() }}) as pulled_in_usd,
        cast(pushed_out_usd as {{ dbt.type_numeric() }}) as pushed_out_usd,
        cast(increased_usd as {{ dbt.type_numeric() }}) as increased_usd,
        cast(decreased_usd as {{ dbt.type_numeric() }}) as decreased_usd,
        cast(won_usd as {{ dbt.type_numeric() }}) as won_usd,
        cast(lost_usd as {{ dbt.type_numeric() }}) as lost_usd,
        cast(closing_pipeline_usd as {{ dbt.type_numeric() }}) as closing_pipeline_usd,
        cast(opening_pipeline_count as {{ dbt.type_bigint() }}) as opening_pipeline_count,
        cast(created_count as {{ dbt.type_bigint() }}) as created_count,
        cast(pulled_in_count as {{ dbt.type_bigint() }}) as pulled_in_count,
        cast(pushed_out_count as {{ dbt.type_bigint() }}) as pushed_out_count,
        cast(increased_count as {{ dbt.type_bigint() }}) as increased_count,
        cast(decreased_count as {{ dbt.type_bigint() }}) as decreased_count,
        cast(won_count as {{ dbt.type_bigint() }}) as won_count,
        cast(lost_count as {{ dbt.type_bigint() }}) as lost_count,
        cast(closing_pipeline_count as {{ dbt.type_bigint() }}) as closing_pipeline_count
    from aggregated

)

select * from final
