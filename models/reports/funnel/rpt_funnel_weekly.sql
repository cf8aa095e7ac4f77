-- Grain: one row per week (from Monday; from the first lead's week to as_of_date's) and channel (with 'all'): what
-- the weekly review reads by week. Funnel flow: leads created and the stage events dated in the week
-- (int_leads_stage_dated, the funnel reports' one dating rule) with flow conversion (events of the later stage /
-- events of the earlier one in the same week, as rpt_funnel_conversion's flow rows by month). Deals: won and lost
-- by close date, win rate and average won deal (macros win_rate, safe_divide). Open qualified pipeline at the
-- week's end (fct_pipeline_snapshots: its Sunday, or as_of_date in the current week). The deals' channel is the
-- deal's (fct_opportunities), the leads' the lead's.
with

leads as (

    select * from {{ ref('int_leads_stage_dated') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

snapshots as (

    select * from {{ ref('fct_pipeline_snapshots') }}

),

stages as (

    select distinct
        stage,
        is_qualified_pipeline
    from {{ ref('int_stage_names_resolved') }}

),

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

lead_events as (

    select
        coalesce(channel, 'unattributed') as channel,
        cast({{ dbt.date_trunc('week', 'created_at') }} as date) as week_start_date,
        'created' as event_name
    from leads
    where created_at is not null
    union all
    select
        coalesce(channel, 'unattributed') as channel,
        cast({{ dbt.date_trunc('week', 'mql_entered_at') }} as date) as week_start_date,
        'mql' as event_name
    from leads
    where mql_entered_at is not null
    union all
    select
        coalesce(channel, 'unattributed') as channel,
        cast({{ dbt.date_trunc('week', 'sql_entered_at') }} as date) as week_start_date,
        'sql' as event_name
    from leads
    where sql_entered_at is not null
    union all
    select
        coalesce(channel, 'unattributed') as channel,
        cast({{ dbt.date_trunc('week', 'opportunity_entered_at') }} as date) as week_start_date,
        'opportunity' as event_name
    from leads
    where opportunity_entered_at is not null
    union all
    select
        coalesce(channel, 'unattributed') as channel,
        cast({{ dbt.date_trunc('week', 'won_at') }} as date) as week_start_date,
        'won' as event_name
    from leads
    where won_at is not null

),

deal_events as (

    select
        coalesce(channel, 'unattributed') as channel,
        cast({{ dbt.date_trunc('week', 'close_date') }} as date) as week_start_date,
        case when is_won then 'deal_won' else 'deal_lost' end as event_name,
        case when is_won then amount_usd end as won_amount_usd
    from opportunities
    where is_closed and close_date <= {{ as_of_date() }}

),

week_ends as (

    -- each week's last snapshot
    select
        cast({{ dbt.date_trunc('week', 'snapshot_date') }} as date) as week_start_date,
        max(snapshot_date) as week_end_date
    from snapshots
    group by cast({{ dbt.date_trunc('week', 'snapshot_date') }} as date)

),

qualified_at_week_end as (

    select
        coalesce(snapshots.channel, 'unattributed') as channel,
        week_ends.week_start_date,
        'qualified_open' as event_name,
        snapshots.amount_usd
    from week_ends
    inner join snapshots
        on week_ends.week_end_date = snapshots.snapshot_date
    inner join stages
        on snapshots.stage = stages.stage
    where stages.is_qualified_pipeline

),

events as (

    select
        channel,
        week_start_date,
        event_name,
        cast(null as {{ dbt.type_numeric() }}) as amount_usd
    from lead_events
    union all
    select
        channel,
        week_start_date,
        event_name,
        won_amount_usd as amount_usd
    from deal_events
    union all
    select
        channel,
        week_start_date,
        event_name,
        amount_usd
    from qualified_at_week_end

),

both_cuts as (

    select * from events
    union all
    select
        'all' as channel,
        week_start_date,
        event_name,
        amount_usd
    from events

),

bounds as (

    select min(week_start_date) as first_week_start_date
    from lead_events

),

weeks as (

    select distinct calendar.week_start_date
    from calendar
    inner join bounds
        on calendar.week_start_date >= bounds.first_week_start_date
    where calendar.date_day <= {{ as_of_date() }}

),

counted as (

    select
        weeks.week_start_date,
        both_cuts.channel,
        count(case when both_cuts.event_name = 'created' then 1 end) as leads_created,
        count(case when both_cuts.event_name = 'mql' then 1 end) as mqls,
        count(case when both_cuts.event_name = 'sql' then 1 end) as sqls,
        count(case when both_cuts.event_name = 'opportunity' then 1 end) as opportunities,
        count(case when both_cuts.event_name = 'won' then 1 end) as won_leads,
        count(case when both_cuts.event_name = 'deal_won' then 1 end) as deals_won,
        count(case when both_cuts.event_name = 'deal_lost' then 1 end) as deals_lost,
        sum(case when both_cuts.event_name = 'deal_won' then both_cuts.amount_usd end) as won_amount_usd,
        count(case when both_cuts.event_name = 'deal_won' and both_cuts.amount_usd is not null then 1 end)
            as deals_won_with_amount,
        count(case when both_cuts.event_name = 'qualified_open' then 1 end) as open_qualified_opportunities,
        coalesce(sum(case when both_cuts.event_name = 'qualified_open' then both_cuts.amount_usd end), 0)
            as open_qualified_pipeline_usd
    from weeks
    inner join both_cuts
        on weeks.week_start_date = both_cuts.week_start_date
    group by weeks.week_start_date, both_cuts.channel

),

final as (

    select
        week_start_date,
        channel,
        least(cast({{ dbt.dateadd('day', 6, 'week_start_date') }} as date), {{ as_of_date() }}) as week_end_date,
        {{ as_of_date() }} < cast({{ dbt.dateadd('day', 7, 'week_start_date') }} as date) as is_current_week,
        cast(leads_created as {{ dbt.type_bigint() }}) as leads_created,
        cast(mqls as {{ dbt.type_bigint() }}) as mqls,
        cast(sqls as {{ dbt.type_bigint() }}) as sqls,
        cast(opportunities as {{ dbt.type_bigint() }}) as opportunities,
        cast(won_leads as {{ dbt.type_bigint() }}) as won_leads,
        cast({{ safe_divide('mqls', 'leads_created') }} as {{ type_double() }}) as lead_to_mql_flow_rate,
        cast({{ safe_divide('sqls', 'mqls') }} as {{ type_double() }}) as mql_to_sql_flow_rate,
        cast({{ safe_divide('opportunities', 'sqls') }} as {{ type_double() }}) as sql_to_opportunity_flow_rate,
        cast(deals_won as {{ dbt.type_bigint() }}) as deals_won,
        cast(deals_lost as {{ dbt.type_bigint() }}) as deals_lost,
        cast({{ win_rate('deals_won', 'deals_lost') }} as {{ type_double() }}) as win_rate,
        cast(coalesce(won_amount_usd, 0) as {{ dbt.type_numeric() }}) as won_amount_usd,
        cast({{ safe_divide('won_amount_usd', 'deals_won_with_amount') }} as {{ dbt.type_numeric() }})
            as average_won_deal_usd,
        cast(open_qualified_opportunities as {{ dbt.type_bigint() }}) as open_qualified_opportunities,
        cast(open_qualified_pipeline_usd as {{ dbt.type_numeric() }}) as open_qualified_pipeline_usd
    from counted

)

select * from final
