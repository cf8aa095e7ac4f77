-- Grain: one row per snapshot date and deal open at the day's end. Snapshot dates: every week's last day
-- (Sunday) from the first deal's week, as_of_date, and every day a run recorded. A recorded day holds the deal
-- records as that run loaded them (int_opportunity_snapshots_recorded); the other days are rebuilt from the
-- change history (int_opportunity_states_sequenced), so a first run already has the past. Weekly, not daily:
-- the weekly review and the monthly calibration read weeks, and daily rows over years of deals would be seven
-- times the rows at 10M leads.
{%- set first_week = dbt.date_trunc('week', 'min(created_at)') %}

with

states as (

    select * from {{ ref('int_opportunity_states_sequenced') }}

),

recorded as (

    select * from {{ ref('int_opportunity_snapshots_recorded') }}
    where snapshot_date <= {{ as_of_date() }}

),

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

thresholds as (

    select * from {{ ref('int_stage_stall_thresholds') }}

),

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

first_deal as (

    select cast({{ first_week }} as date) as first_week_start_date
    from opportunities

),

recorded_dates as (

    select distinct snapshot_date
    from recorded

),

week_ends as (

    select cast({{ dbt.dateadd('day', 6, 'calendar.week_start_date') }} as date) as snapshot_date
    from calendar
    inner join first_deal
        on calendar.week_start_date >= first_deal.first_week_start_date
    where calendar.date_day = calendar.week_start_date

),

rebuilt_dates as (

    select snapshot_date
    from week_ends
    where snapshot_date < {{ as_of_date() }}
    union all
    select {{ as_of_date() }} as snapshot_date

),

rebuilt as (

    -- the state each deal was in at the day's end, where no run recorded the day
    select
        rebuilt_dates.snapshot_date,
        states.opportunity_id,
        'rebuilt' as snapshot_source,
        states.stage,
        states.raw_stage_name,
        states.amount,
        states.amount_usd,
        states.close_date,
        states.probability,
        states.forecast_category,
        opportunities.owner_id,
        {%- set days_in_stage = dbt.datediff('states.stage_entered_at', 'rebuilt_dates.snapshot_date', 'day') %}
        cast({{ days_in_stage }} as {{ dbt.type_bigint() }}) as days_in_stage,
        {{ is_stalled('states.is_open', days_in_stage, 'thresholds.stalled_after_days') }} as is_stalled
    from rebuilt_dates
    left join recorded_dates
        on rebuilt_dates.snapshot_date = recorded_dates.snapshot_date
    inner join states
        on
            states.valid_from < {{ dbt.cast(dbt.dateadd('day', 1, 'rebuilt_dates.snapshot_date'), dbt.type_timestamp()) }}
            and (
                states.valid_to is null
                or states.valid_to >= {{ dbt.cast(dbt.dateadd('day', 1, 'rebuilt_dates.snapshot_date'), dbt.type_timestamp()) }}
            )
    inner join opportunities
        on states.opportunity_id = opportunities.opportunity_id
    left join thresholds
        on states.stage = thresholds.stage
    where recorded_dates.snapshot_date is null and states.is_open

),

kept as (

    select
        snapshot_date,
        opportunity_id,
        'recorded' as snapshot_source,
        stage,
        raw_stage_name,
        amount,
        amount_usd,
        close_date,
        probability,
        forecast_category,
        owner_id,
        days_in_stage,
        is_stalled
    from recorded

),

combined as (

    select * from rebuilt
    union all
    select * from kept

),

final as (

    select
        {{ dbt.concat([dbt.cast("combined.snapshot_date", dbt.type_string()), "'-'", "combined.opportunity_id"]) }}
            as pipeline_snapshot_id,
        combined.snapshot_date,
        combined.opportunity_id,
        combined.snapshot_source,
        combined.stage,
        combined.raw_stage_name,
        cast(combined.amount as {{ dbt.type_numeric() }}) as amount,
        opportunities.currency_code,
        cast(combined.amount_usd as {{ dbt.type_numeric() }}) as amount_usd,
        combined.close_date,
        combined.close_date < combined.snapshot_date as is_past_close_date,
        combined.probability,
        combined.forecast_category,
        combined.owner_id,
        combined.days_in_stage,
        combined.is_stalled,
        opportunities.channel,
        opportunities.icp_tier,
        cast({{ dbt.datediff('opportunities.created_at', 'combined.snapshot_date', 'day') }} as {{ dbt.type_bigint() }})
            as days_open
    from combined
    inner join opportunities
        on combined.opportunity_id = opportunities.opportunity_id

)

select * from final
