-- Grain: one row per open canonical stage and outcome (won, lost): how long closed deals spent in the
-- stage. One observation per completed stage visit (a deal that went back to a stage counts each visit),
-- as int_stage_stall_thresholds measures the won-deal percentile, so p90 of won deals sits beside the stall
-- threshold it defines. Visits that never ended (a closed deal without its closing change) are left out.
with

stage_history as (

    select * from {{ ref('fct_opportunity_stage_history') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

stage_mapping as (

    select * from {{ ref('int_stage_names_resolved') }}

),

thresholds as (

    select * from {{ ref('int_stage_stall_thresholds') }}

),

open_stages as (

    select
        stage,
        min(stage_order) as stage_order
    from stage_mapping
    where not is_closed
    group by stage
    union all
    -- raw stage names missing from the seed are reported, not dropped
    select distinct
        stage,
        cast(null as {{ dbt.type_int() }}) as stage_order
    from stage_history
    where stage = 'unmapped'

),

outcomes as (

    select 'won' as outcome
    union all
    select 'lost' as outcome

),

completed_visits as (

    select
        stage_history.stage,
        stage_history.opportunity_id,
        stage_history.days_in_stage,
        case when opportunities.is_won then 'won' else 'lost' end as outcome
    from stage_history
    inner join opportunities
        on stage_history.opportunity_id = opportunities.opportunity_id
    where
        opportunities.is_closed
        and not stage_history.is_closed_stage
        and stage_history.exited_at is not null
        and stage_history.days_in_stage >= 0

),

aggregated as (

    select
        stage,
        outcome,
        count(*) as stage_visits,
        count(distinct opportunity_id) as opportunities,
        percentile_cont(0.5) within group (order by days_in_stage) as median_days_in_stage,
        avg(days_in_stage) as mean_days_in_stage,
        percentile_cont(0.9) within group (order by days_in_stage) as p90_days_in_stage
    from completed_visits
    group by stage, outcome

),

final as (

    select
        open_stages.stage,
        outcomes.outcome,
        open_stages.stage_order,
        coalesce(aggregated.stage_visits, 0) as stage_visits,
        coalesce(aggregated.opportunities, 0) as opportunities,
        aggregated.median_days_in_stage,
        aggregated.mean_days_in_stage,
        aggregated.p90_days_in_stage,
        thresholds.stalled_after_days,
        thresholds.threshold_source
    from open_stages
    cross join outcomes
    left join aggregated
        on
            open_stages.stage = aggregated.stage
            and outcomes.outcome = aggregated.outcome
    left join thresholds
        on open_stages.stage = thresholds.stage

)

select * from final
