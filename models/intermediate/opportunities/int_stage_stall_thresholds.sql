-- One row per open canonical stage: how many days a deal may sit in it before it counts as stalled.
-- Default: the stalled_deal_percentile (0.9) of the days won deals spent in that stage; a stage listed in
-- the stalled_deal_days variable uses that number instead; a stage no won deal visited falls back to
-- stalled_deal_default_days.
with

visits as (

    select * from {{ ref('int_opportunity_stages_visited') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

stages as (

    select distinct stage from {{ ref('int_stage_names_resolved') }}
    where not is_closed
    union all
    -- a deal in a stage the seed does not know can still stall (at the default threshold)
    select 'unmapped' as stage

),

won_visits as (

    select
        visits.stage,
        visits.days_in_stage
    from visits
    inner join opportunities
        on visits.opportunity_id = opportunities.opportunity_id
    where
        opportunities.is_won
        and visits.exited_at is not null
        and visits.days_in_stage >= 0

),

historical as (

    select
        stage,
        percentile_cont({{ var('stalled_deal_percentile') }}) within group (
            order by days_in_stage
        ) as historical_days,
        count(*) as won_visit_count
    from won_visits
    group by stage

),

configured as (

    -- stages listed in the stalled_deal_days variable (stage: days)
    select
        cast(null as {{ dbt.type_string() }}) as stage,
        cast(null as {{ dbt.type_int() }}) as stalled_after_days
    {%- for stage, days in var('stalled_deal_days').items() %}
    union all
    select
        '{{ stage }}' as stage,
        {{ days }} as stalled_after_days
    {%- endfor %}

),

final as (

    select
        stages.stage,
        cast(
            coalesce(
                configured.stalled_after_days,
                ceil(historical.historical_days),
                {{ var('stalled_deal_default_days') }}
            ) as {{ dbt.type_int() }}
        ) as stalled_after_days,
        case
            when configured.stalled_after_days is not null then 'configured'
            when historical.historical_days is not null then 'won_deal_percentile'
            else 'default'
        end as threshold_source,
        coalesce(historical.won_visit_count, 0) as won_visit_count
    from stages
    left join historical
        on stages.stage = historical.stage
    left join configured
        on stages.stage = configured.stage

)

select * from final
