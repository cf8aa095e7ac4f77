-- Grain: one row per period (week from Monday, calendar month) up to as_of_date and deal in the period's
-- pipeline at some moment: the pipeline of a period is the open deals expected to close by its end (close date
-- in the period or before it: a slipped deal nobody updated stays until it closes or is pushed out). Opening is
-- the deal's state just before the period starts, closing just before it ends (at as_of_date's end for the
-- current period); every change of the deal in the period moves it in between:
--   created    the deal was created in the period and entered its pipeline in it (created expected by the
--              period's end, pulled in, or closed);
--   pulled in  an older deal entered: its close date moved from after the period's end to before it, it was
--              reopened, or it closed in the period while expected later (pulled in, then won or lost);
--   pushed out its close date moved past the period's end while open (at its amount before the move);
--   increased / decreased  its amount changed while in the pipeline (at closing too);
--   won / lost it closed in the period, at its closing amount.
-- So on every row opening + created + pulled in - pushed out + increased - decreased - won - lost = closing,
-- in USD and (without the amount changes) in deals. A deal without an amount counts as 0 USD; an open deal
-- without a close date is in no period's pipeline.
{%- set as_of_end = dbt.cast(dbt.dateadd('day', 1, as_of_date()), dbt.type_timestamp()) %}

with

states as (

    select * from {{ ref('int_opportunity_states_sequenced') }}

),

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

first_deal as (

    select cast(min(valid_from) as date) as first_date
    from states

),

periods as (

    select distinct
        'week' as period_grain,
        calendar.week_start_date as period_start_date,
        {{ dbt.cast(dbt.dateadd('day', 7, 'calendar.week_start_date'), 'date') }} as next_period_start_date
    from calendar
    inner join first_deal
        on calendar.date_day >= first_deal.first_date
    where calendar.date_day <= {{ as_of_date() }}
    union all
    select distinct
        'month' as period_grain,
        calendar.month_start_date as period_start_date,
        {{ dbt.cast(dbt.dateadd('month', 1, 'calendar.month_start_date'), 'date') }} as next_period_start_date
    from calendar
    inner join first_deal
        on calendar.date_day >= first_deal.first_date
    where calendar.date_day <= {{ as_of_date() }}

),

bounded_periods as (

    select
        period_grain,
        period_start_date,
        next_period_start_date,
        {{ dbt.cast('period_start_date', dbt.type_timestamp()) }} as period_start_at,
        -- the current period ends with as_of_date
        least(
            {{ dbt.cast('next_period_start_date', dbt.type_timestamp()) }},
            {{ as_of_end }}
        ) as period_end_at
    from periods

),

transitions as (

    select
        states.opportunity_id,
        states.valid_from as changed_at,
        min(states.valid_from) over (partition by states.opportunity_id) as created_at,
        previous.opportunity_id is not null as has_previous,
        coalesce(previous.is_open, false) as was_open,
        previous.close_date as previous_close_date,
        coalesce(previous.amount_usd, 0) as previous_amount_usd,
        states.is_open,
        states.is_won,
        states.close_date,
        coalesce(states.amount_usd, 0) as amount_usd
    from states
    left join states as previous
        on
            states.opportunity_id = previous.opportunity_id
            and states.state_number = previous.state_number + 1

),

classified as (

    select
        bounded_periods.period_grain,
        bounded_periods.period_start_date,
        transitions.opportunity_id,
        transitions.amount_usd,
        transitions.previous_amount_usd,
        transitions.is_won,
        transitions.created_at >= bounded_periods.period_start_at
        and transitions.created_at < bounded_periods.period_end_at as is_created_in_period,
        -- in the period's pipeline before and after the change; a closing change ends it
        coalesce(
            transitions.was_open and transitions.previous_close_date < bounded_periods.next_period_start_date, false
        ) as was_in,
        coalesce(transitions.is_open and transitions.close_date < bounded_periods.next_period_start_date, false)
            as is_in,
        not transitions.is_open and (not transitions.has_previous or transitions.was_open) as is_closing
    from transitions
    inner join bounded_periods
        on
            transitions.changed_at >= bounded_periods.period_start_at
            and transitions.changed_at < bounded_periods.period_end_at

),

changes as (

    select
        period_grain,
        period_start_date,
        opportunity_id,
        -- entering the pipeline: created if the deal was created in the period, else pulled in
        case when not was_in and (is_in or is_closing) and is_created_in_period then amount_usd else 0 end
            as created_usd,
        case when not was_in and (is_in or is_closing) and is_created_in_period then 1 else 0 end as created_count,
        case when not was_in and (is_in or is_closing) and not is_created_in_period then amount_usd else 0 end
            as pulled_in_usd,
        case when not was_in and (is_in or is_closing) and not is_created_in_period then 1 else 0 end
            as pulled_in_count,
        case when was_in and not is_in and not is_closing then previous_amount_usd else 0 end as pushed_out_usd,
        case when was_in and not is_in and not is_closing then 1 else 0 end as pushed_out_count,
        case
            when was_in and (is_in or is_closing) and amount_usd > previous_amount_usd
                then amount_usd - previous_amount_usd
            else 0
        end as increased_usd,
        case
            when was_in and (is_in or is_closing) and amount_usd > previous_amount_usd then 1 else 0
        end as increased_count,
        case
            when was_in and (is_in or is_closing) and amount_usd < previous_amount_usd
                then previous_amount_usd - amount_usd
            else 0
        end as decreased_usd,
        case
            when was_in and (is_in or is_closing) and amount_usd < previous_amount_usd then 1 else 0
        end as decreased_count,
        case when is_closing and is_won then amount_usd else 0 end as won_usd,
        case when is_closing and is_won then 1 else 0 end as won_count,
        case when is_closing and not is_won then amount_usd else 0 end as lost_usd,
        case when is_closing and not is_won then 1 else 0 end as lost_count,
        0 as opening_pipeline_usd,
        0 as opening_pipeline_count,
        0 as closing_pipeline_usd,
        0 as closing_pipeline_count
    from classified
    where was_in or is_in or is_closing

),

standing as (

    -- an open state in a period's pipeline: is it the one just before the period starts, or just before it ends?
    select
        bounded_periods.period_grain,
        bounded_periods.period_start_date,
        states.opportunity_id,
        coalesce(states.amount_usd, 0) as amount_usd,
        states.valid_from < bounded_periods.period_start_at
        and (states.valid_to is null or states.valid_to >= bounded_periods.period_start_at) as is_opening_state,
        states.valid_from < bounded_periods.period_end_at
        and (states.valid_to is null or states.valid_to >= bounded_periods.period_end_at) as is_closing_state
    from states
    inner join bounded_periods
        on
            states.close_date < bounded_periods.next_period_start_date
            and states.valid_from < bounded_periods.period_end_at
            and (states.valid_to is null or states.valid_to >= bounded_periods.period_start_at)
    where states.is_open

),

standing_amounts as (

    select
        period_grain,
        period_start_date,
        opportunity_id,
        0 as created_usd,
        0 as created_count,
        0 as pulled_in_usd,
        0 as pulled_in_count,
        0 as pushed_out_usd,
        0 as pushed_out_count,
        0 as increased_usd,
        0 as increased_count,
        0 as decreased_usd,
        0 as decreased_count,
        0 as won_usd,
        0 as won_count,
        0 as lost_usd,
        0 as lost_count,
        case when is_opening_state then amount_usd else 0 end as opening_pipeline_usd,
        case when is_opening_state then 1 else 0 end as opening_pipeline_count,
        case when is_closing_state then amount_usd else 0 end as closing_pipeline_usd,
        case when is_closing_state then 1 else 0 end as closing_pipeline_count
    from standing
    where is_opening_state or is_closing_state

),

combined as (

    select * from changes
    union all
    select * from standing_amounts

),

final as (

    select
        period_grain,
        period_start_date,
        opportunity_id,
        cast(sum(opening_pipeline_usd) as {{ dbt.type_numeric() }}) as opening_pipeline_usd,
        cast(sum(created_usd) as {{ dbt.type_numeric() }}) as created_usd,
        cast(sum(pulled_in_usd) as {{ dbt.type_numeric() }}) as pulled_in_usd,
        cast(sum(pushed_out_usd) as {{ dbt.type_numeric() }}) as pushed_out_usd,
        cast(sum(increased_usd) as {{ dbt.type_numeric() }}) as increased_usd,
        cast(sum(decreased_usd) as {{ dbt.type_numeric() }}) as decreased_usd,
        cast(sum(won_usd) as {{ dbt.type_numeric() }}) as won_usd,
        cast(sum(lost_usd) as {{ dbt.type_numeric() }}) as lost_usd,
        cast(sum(closing_pipeline_usd) as {{ dbt.type_numeric() }}) as closing_pipeline_usd,
        cast(sum(opening_pipeline_count) as {{ dbt.type_bigint() }}) as opening_pipeline_count,
        cast(sum(created_count) as {{ dbt.type_bigint() }}) as created_count,
        cast(sum(pulled_in_count) as {{ dbt.type_bigint() }}) as pulled_in_count,
        cast(sum(pushed_out_count) as {{ dbt.type_bigint() }}) as pushed_out_count,
        cast(sum(increased_count) as {{ dbt.type_bigint() }}) as increased_count,
        cast(sum(decreased_count) as {{ dbt.type_bigint() }}) as decreased_count,
        cast(sum(won_count) as {{ dbt.type_bigint() }}) as won_count,
        cast(sum(lost_count) as {{ dbt.type_bigint() }}) as lost_count,
        cast(sum(closing_pipeline_count) as {{ dbt.type_bigint() }}) as closing_pipeline_count
    from combined
    group by period_grain, period_start_date, opportunity_id

)

select * from final
