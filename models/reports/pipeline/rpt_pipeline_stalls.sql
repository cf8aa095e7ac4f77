-- Grain: one row per week (from Monday, up to as_of_date's) and segment (segment_type all / stage / owner /
-- channel / icp_tier) with stalled deals at its start or end: the weekly review's root-cause view. A week's
-- stalled deals are the stalled open deals of its last snapshot (Sunday, or as_of_date in the current week,
-- fct_pipeline_snapshots), against those of the Sunday before: newly stalled, unstalled (moved on while
-- open), closed while stalled (won or lost), and how long the stalled deals have been in their stage. A deal
-- stalled at both ends in another stage counts as unstalled from the old stage and newly stalled in the new.
-- Stage is the deal's stage on the side it is counted (start or end); owner, channel and ICP tier are today's.
-- Every row holds stalled = stalled at start + newly stalled - unstalled - closed while stalled (deals).
with

snapshots as (

    select * from {{ ref('fct_pipeline_snapshots') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

week_ends as (

    select distinct
        snapshot_date as week_end_date,
        cast({{ dbt.date_trunc('week', 'snapshot_date') }} as date) as week_start_date
    from snapshots
    where
        snapshot_date = {{ as_of_date() }}
        or snapshot_date = cast({{ dbt.dateadd('day', 6, dbt.date_trunc('week', 'snapshot_date')) }} as date)

),

current_week as (

    select max(week_start_date) as week_start_date
    from week_ends

),

weeks as (

    -- the current week ends at as_of_date, even when as_of_date is a Sunday
    select
        week_ends.week_start_date,
        min(week_ends.week_end_date) as week_end_date,
        cast({{ dbt.dateadd('day', -1, 'week_ends.week_start_date') }} as date) as previous_week_end_date
    from week_ends
    group by week_ends.week_start_date

),

stalled_at_end as (

    select
        weeks.week_start_date,
        snapshots.opportunity_id,
        snapshots.stage,
        snapshots.amount_usd,
        snapshots.days_in_stage
    from weeks
    inner join snapshots
        on weeks.week_end_date = snapshots.snapshot_date
    where snapshots.is_stalled

),

stalled_at_start as (

    select
        weeks.week_start_date,
        snapshots.opportunity_id,
        snapshots.stage,
        snapshots.amount_usd
    from weeks
    inner join snapshots
        on weeks.previous_week_end_date = snapshots.snapshot_date
    where snapshots.is_stalled

),

deal_segments as (

    select * from {{ ref('int_opportunities_segmented') }}

),

open_at_end as (

    select
        weeks.week_start_date,
        snapshots.opportunity_id
    from weeks
    inner join snapshots
        on weeks.week_end_date = snapshots.snapshot_date

),

compared as (

    select
        coalesce(stalled_at_end.week_start_date, stalled_at_start.week_start_date) as week_start_date,
        coalesce(stalled_at_end.opportunity_id, stalled_at_start.opportunity_id) as opportunity_id,
        stalled_at_end.opportunity_id is not null as is_stalled_at_end,
        stalled_at_start.opportunity_id is not null as was_stalled_at_start,
        coalesce(stalled_at_end.stage = stalled_at_start.stage, false) as is_continuing,
        stalled_at_end.stage as end_stage,
        stalled_at_start.stage as start_stage,
        stalled_at_end.amount_usd as end_amount_usd,
        stalled_at_start.amount_usd as start_amount_usd,
        stalled_at_end.days_in_stage
    from stalled_at_end
    full outer join stalled_at_start
        on
            stalled_at_end.week_start_date = stalled_at_start.week_start_date
            and stalled_at_end.opportunity_id = stalled_at_start.opportunity_id

),

sides as (

    -- the end of the week: stalled now, newly stalled
    select
        week_start_date,
        opportunity_id,
        end_stage as stage,
        1 as stalled_deals,
        coalesce(end_amount_usd, 0) as stalled_usd,
        days_in_stage,
        0 as stalled_at_start_deals,
        case when is_continuing then 0 else 1 end as newly_stalled_deals,
        case when is_continuing then 0 else coalesce(end_amount_usd, 0) end as newly_stalled_usd,
        0 as unstalled_deals,
        0 as closed_while_stalled_deals,
        0 as won_while_stalled_deals
    from compared
    where is_stalled_at_end

    union all

    -- the start of the week: where the deals stalled then went
    select
        compared.week_start_date,
        compared.opportunity_id,
        compared.start_stage as stage,
        0 as stalled_deals,
        0 as stalled_usd,
        null as days_in_stage,
        1 as stalled_at_start_deals,
        0 as newly_stalled_deals,
        0 as newly_stalled_usd,
        case when not compared.is_continuing and open_at_end.opportunity_id is not null then 1 else 0 end
            as unstalled_deals,
        case when not compared.is_continuing and open_at_end.opportunity_id is null then 1 else 0 end
            as closed_while_stalled_deals,
        case
            when not compared.is_continuing and open_at_end.opportunity_id is null and opportunities.is_won then 1
            else 0
        end as won_while_stalled_deals
    from compared
    left join open_at_end
        on
            compared.week_start_date = open_at_end.week_start_date
            and compared.opportunity_id = open_at_end.opportunity_id
    left join opportunities
        on compared.opportunity_id = opportunities.opportunity_id
    where compared.was_stalled_at_start

),

segmented as (

    select
        sides.*,
        'stage' as segment_type,
        sides.stage as segment_value
    from sides
    union all
    select
        sides.*,
        deal_segments.segment_type,
        deal_segments.segment_value
    from sides
    inner join deal_segments
        on sides.opportunity_id = deal_segments.opportunity_id

),

final as (

    select
        segmented.week_start_date,
        segmented.segment_type,
        segmented.segment_value,
        weeks.week_end_date,
        segmented.week_start_date = current_week.week_start_date as is_current_week,
        cast(sum(segmented.stalled_deals) as {{ dbt.type_bigint() }}) as stalled_deals,
        cast(sum(segmented.stalled_usd) as {{ dbt.type_numeric() }}) as stalled_usd,
        cast(avg(segmented.days_in_stage) as {{ type_double() }}) as average_days_in_stage_stalled,
        cast(max(segmented.days_in_stage) as {{ dbt.type_bigint() }}) as longest_days_in_stage_stalled,
        cast(sum(segmented.stalled_at_start_deals) as {{ dbt.type_bigint() }}) as stalled_at_start_deals,
        cast(sum(segmented.newly_stalled_deals) as {{ dbt.type_bigint() }}) as newly_stalled_deals,
        cast(sum(segmented.newly_stalled_usd) as {{ dbt.type_numeric() }}) as newly_stalled_usd,
        cast(sum(segmented.unstalled_deals) as {{ dbt.type_bigint() }}) as unstalled_deals,
        cast(sum(segmented.closed_while_stalled_deals) as {{ dbt.type_bigint() }}) as closed_while_stalled_deals,
        cast(sum(segmented.won_while_stalled_deals) as {{ dbt.type_bigint() }}) as won_while_stalled_deals
    from segmented
    inner join weeks
        on segmented.week_start_date = weeks.week_start_date
    cross join current_week
    group by
        segmented.week_start_date,
        segmented.segment_type,
        segmented.segment_value,
        weeks.week_end_date,
        current_week.week_start_date

)

select * from final
