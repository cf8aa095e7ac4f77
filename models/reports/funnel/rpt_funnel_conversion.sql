-- Grain: one row per conversion_type ('cohort' or 'flow'), transition, period_month, channel, lead_source
-- and icp_tier. Stage dates come from int_leads_stage_dated (a skipped stage takes the next known date,
-- in both views).
-- cohort: of the leads that reached stage A in period_month, how many reached B by as_of_date (and
--         within conversion_window_days of reaching A), how many are still open.
-- flow:   B events in period_month / A events in period_month (not a share of the same records: it can
--         exceed 1).
{%- set window_days = var('conversion_window_days') %}
{%- if window_days is none %}
    {#- no window configured: within the window means by as_of_date #}
    {%- set is_within_window = 'true' %}
    {%- set is_window_over = 'true' %}
{%- else %}
    {%- set is_within_window = 'converted_at <= ' ~ dbt.dateadd('day', window_days, 'entered_at') %}
    {#- the cohort's last entrant (end of the month) has had its full window by the end of as_of_date #}
    {%- set is_window_over = dbt.dateadd('day', window_days, dbt.dateadd('month', 1, 'period_month'))
        ~ ' <= ' ~ dbt.dateadd('day', 1, 'as_of_date') %}
{%- endif %}
with

leads as (

    select * from {{ ref('int_leads_stage_dated') }}

),

transitions as (

    -- stage ranks: 0 lead, 1 MQL, 2 SQL, 3 opportunity, 4 won
    select
        'lead_to_mql' as transition,
        0 as from_rank,
        1 as to_rank
    union all
    select
        'mql_to_sql' as transition,
        1 as from_rank,
        2 as to_rank
    union all
    select
        'sql_to_opportunity' as transition,
        2 as from_rank,
        3 as to_rank
    union all
    select
        'opportunity_to_won' as transition,
        3 as from_rank,
        4 as to_rank
    union all
    select
        'lead_to_opportunity' as transition,
        0 as from_rank,
        3 as to_rank
    union all
    select
        'lead_to_won' as transition,
        0 as from_rank,
        4 as to_rank

),

lead_stages as (

    -- one row per lead and stage: its effective date and whether it was reached by as_of_date
    select
        lead_id,
        0 as stage_rank,
        created_at as stage_at,
        true as has_reached
    from leads
    union all
    select
        lead_id,
        1 as stage_rank,
        mql_entered_at as stage_at,
        has_reached_mql as has_reached
    from leads
    union all
    select
        lead_id,
        2 as stage_rank,
        sql_entered_at as stage_at,
        has_reached_sql as has_reached
    from leads
    union all
    select
        lead_id,
        3 as stage_rank,
        opportunity_entered_at as stage_at,
        has_reached_opportunity as has_reached
    from leads
    union all
    select
        lead_id,
        4 as stage_rank,
        won_at as stage_at,
        has_reached_won as has_reached
    from leads

),

lead_transitions as (

    -- one row per transition and lead that reached its from-stage
    select
        transitions.transition,
        leads.lead_id,
        leads.channel,
        leads.lead_source,
        leads.icp_tier,
        leads.as_of_date,
        entering.stage_at as entered_at,
        exiting.has_reached as is_converted,
        exiting.stage_at as converted_at,
        leads.has_exited,
        -- a stage inside the transition's span (from-stage to to-stage) passed without its own date
        transitions.from_rank <= 1 and transitions.to_rank >= 1 and leads.has_skipped_mql as has_skipped_mql,
        transitions.from_rank <= 2 and transitions.to_rank >= 2 and leads.has_skipped_sql as has_skipped_sql
    from transitions
    inner join lead_stages as entering
        on transitions.from_rank = entering.stage_rank
    inner join lead_stages as exiting
        on
            entering.lead_id = exiting.lead_id
            and transitions.to_rank = exiting.stage_rank
    inner join leads
        on entering.lead_id = leads.lead_id
    where entering.has_reached

),

cohort_members as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'entered_at') }} as date) as period_month,
        coalesce(is_converted and {{ is_within_window }}, false) as is_converted_within_window
    from lead_transitions
    where entered_at is not null

),

cohorts as (

    select
        'cohort' as conversion_type,
        transition,
        period_month,
        channel,
        lead_source,
        icp_tier,
        as_of_date,
        count(*) as entered_count,
        count(case when is_converted then lead_id end) as converted_count,
        count(case when is_converted_within_window then lead_id end) as converted_within_window_count,
        count(case when not is_converted and not has_exited then lead_id end) as still_open_count,
        count(case when is_converted and has_skipped_mql then lead_id end) as skipped_mql_count,
        count(case when is_converted and has_skipped_sql then lead_id end) as skipped_sql_count
    from cohort_members
    group by
        transition,
        period_month,
        channel,
        lead_source,
        icp_tier,
        as_of_date

),

flow_events as (

    -- every dated from-stage event (an entry) and to-stage event (a conversion), in its own month
    select
        transition,
        lead_id,
        channel,
        lead_source,
        icp_tier,
        as_of_date,
        'entry' as event_role,
        cast({{ dbt.date_trunc('month', 'entered_at') }} as date) as period_month,
        false as has_skipped_mql,
        false as has_skipped_sql
    from lead_transitions
    where entered_at is not null
    union all
    select
        transition,
        lead_id,
        channel,
        lead_source,
        icp_tier,
        as_of_date,
        'conversion' as event_role,
        cast({{ dbt.date_trunc('month', 'converted_at') }} as date) as period_month,
        has_skipped_mql,
        has_skipped_sql
    from lead_transitions
    where is_converted and converted_at is not null

),

flows as (

    select
        'flow' as conversion_type,
        transition,
        period_month,
        channel,
        lead_source,
        icp_tier,
        as_of_date,
        count(case when event_role = 'entry' then lead_id end) as entered_count,
        count(case when event_role = 'conversion' then lead_id end) as converted_count,
        cast(null as {{ dbt.type_bigint() }}) as converted_within_window_count,
        cast(null as {{ dbt.type_bigint() }}) as still_open_count,
        count(case when event_role = 'conversion' and has_skipped_mql then lead_id end) as skipped_mql_count,
        count(case when event_role = 'conversion' and has_skipped_sql then lead_id end) as skipped_sql_count
    from flow_events
    group by
        transition,
        period_month,
        channel,
        lead_source,
        icp_tier,
        as_of_date

),

unioned as (

    select * from cohorts
    union all
    select * from flows

),

final as (

    select
        conversion_type,
        transition,
        period_month,
        channel,
        lead_source,
        icp_tier,
        entered_count,
        converted_count,
        converted_within_window_count,
        still_open_count,
        skipped_mql_count,
        skipped_sql_count,
        {{ safe_divide('converted_count', 'entered_count') }} as conversion_rate,
        {{ safe_divide('converted_within_window_count', 'entered_count') }} as conversion_rate_within_window,
        cast({{ 'null' if window_days is none else window_days }} as integer) as conversion_window_days,
        case when conversion_type = 'cohort' then {{ is_window_over }} end as is_window_complete,
        as_of_date
    from unioned

)

select * from final
