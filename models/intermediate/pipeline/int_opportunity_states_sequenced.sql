-- Grain: one row per live deal and state: the deal's canonical stage, amount, expected close date, probability
-- and forecast category from one change to the next (valid_from inclusive, valid_to exclusive, null for the
-- state it is in at as_of_date's end), rebuilt from its change history (salesforce.opportunity_history, or the
-- versions of a history-mode opportunity table: int_opportunity_changes_validated). When the
-- deal record differs from its last recorded change, the record's state starts at the record's last load (a
-- change the history did not record); a deal without history has one state, its record's, from its creation.
-- Changes after as_of_date are left out. Amounts are in USD at the deal's one rate (int_opportunities_enriched:
-- close date for closed deals, as_of_date for open ones), so currency moves never show as pipeline movement.
{%- set as_of_end = dbt.cast(dbt.dateadd('day', 1, as_of_date()), dbt.type_timestamp()) %}
{%- set as_of_start = dbt.cast(as_of_date(), dbt.type_timestamp()) %}

with

changes as (

    select * from {{ ref('int_opportunity_changes_validated') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

enriched as (

    select * from {{ ref('int_opportunities_enriched') }}

),

stages as (

    select * from {{ ref('int_stage_names_resolved') }}

),

recorded_changes as (

    select
        changes.opportunity_id,
        changes.opportunity_change_id as change_id,
        changes.changed_at,
        changes.stage_name,
        changes.amount,
        changes.close_date,
        changes.probability,
        changes.forecast_category,
        changes.is_closed,
        changes.is_won,
        row_number() over (
            partition by changes.opportunity_id order by changes.changed_at desc, changes.opportunity_change_id desc
        ) as recency
    from changes
    -- history of a deal that is soft-deleted or unknown has no live deal to describe
    inner join opportunities
        on changes.opportunity_id = opportunities.opportunity_id
    where changes.changed_at is not null and changes.changed_at < {{ as_of_end }}

),

record_states as (

    -- the deal record as loaded, where the history does not end in it
    select
        opportunities.opportunity_id,
        cast(null as {{ dbt.type_string() }}) as change_id,
        case
            when last_change.opportunity_id is null then coalesce(opportunities.created_at, opportunities.synced_at)
            else greatest(last_change.changed_at, least(coalesce(opportunities.synced_at, last_change.changed_at), {{ as_of_start }}))
        end as changed_at,
        opportunities.stage_name,
        opportunities.amount,
        opportunities.close_date,
        opportunities.probability,
        opportunities.forecast_category,
        opportunities.is_closed,
        opportunities.is_won
    from opportunities
    left join recorded_changes as last_change
        on
            opportunities.opportunity_id = last_change.opportunity_id
            and last_change.recency = 1
    where
        last_change.opportunity_id is null
        or last_change.stage_name is distinct from opportunities.stage_name
        or last_change.amount is distinct from opportunities.amount
        or last_change.close_date is distinct from opportunities.close_date

),

all_states as (

    select
        recorded_changes.opportunity_id,
        recorded_changes.change_id,
        recorded_changes.changed_at,
        1 as source_order,
        true as is_recorded_change,
        recorded_changes.stage_name,
        recorded_changes.amount,
        recorded_changes.close_date,
        recorded_changes.probability,
        -- a version of a history-mode deal says its own; opportunity_history's changes take the stage's
        coalesce(recorded_changes.forecast_category, stages.forecast_category) as forecast_category,
        coalesce(recorded_changes.is_closed, stages.is_closed, false) as is_closed,
        coalesce(recorded_changes.is_won, stages.is_won, false) as is_won
    from recorded_changes
    left join stages
        on recorded_changes.stage_name = stages.raw_stage_name

    union all

    select
        record_states.opportunity_id,
        record_states.change_id,
        record_states.changed_at,
        2 as source_order,
        false as is_recorded_change,
        record_states.stage_name,
        record_states.amount,
        record_states.close_date,
        record_states.probability,
        coalesce(record_states.forecast_category, stages.forecast_category) as forecast_category,
        coalesce(record_states.is_closed, false) as is_closed,
        coalesce(record_states.is_won, false) as is_won
    from record_states
    left join stages
        on record_states.stage_name = stages.raw_stage_name
    where record_states.changed_at < {{ as_of_end }}

),

sequenced as (

    select
        *,
        cast(row_number() over (
            partition by opportunity_id order by changed_at, source_order, change_id
        ) as {{ dbt.type_bigint() }}) as state_number,
        lead(changed_at) over (
            partition by opportunity_id order by changed_at, source_order, change_id
        ) as next_changed_at
    from all_states

),

stated as (

    select
        {{ dbt.concat(["sequenced.opportunity_id", "'-'", dbt.cast("sequenced.state_number", dbt.type_string())]) }}
            as opportunity_state_id,
        sequenced.opportunity_id,
        sequenced.state_number,
        -- the first state holds from the deal's creation
        case
            when sequenced.state_number = 1 then least(sequenced.changed_at, enriched.created_at)
            else sequenced.changed_at
        end as valid_from,
        sequenced.next_changed_at as valid_to,
        sequenced.is_recorded_change,
        coalesce(stages.stage, 'unmapped') as stage,
        sequenced.stage_name as raw_stage_name,
        not sequenced.is_closed as is_open,
        sequenced.is_closed and sequenced.is_won as is_won,
        sequenced.is_closed and not sequenced.is_won as is_lost,
        sequenced.amount,
        cast(sequenced.amount * enriched.rate_to_usd as {{ dbt.type_numeric() }}) as amount_usd,
        sequenced.close_date,
        sequenced.probability,
        sequenced.forecast_category
    from sequenced
    inner join enriched
        on sequenced.opportunity_id = enriched.opportunity_id
    left join stages
        on sequenced.stage_name = stages.raw_stage_name

),

visits as (

    -- consecutive states in the same canonical stage are one visit of the stage
    select
        *,
        sum(case when stage = previous_stage then 0 else 1 end) over (
            partition by opportunity_id order by state_number rows between unbounded preceding and current row
        ) as stage_visit_number
    from (
        select
            *,
            lag(stage) over (partition by opportunity_id order by state_number) as previous_stage
        from stated
    ) as ordered

),

final as (

    select
        opportunity_state_id,
        opportunity_id,
        state_number,
        valid_from,
        valid_to,
        is_recorded_change,
        stage,
        raw_stage_name,
        min(valid_from) over (partition by opportunity_id, stage_visit_number) as stage_entered_at,
        is_open,
        is_won,
        is_lost,
        amount,
        amount_usd,
        close_date,
        probability,
        forecast_category
    from visits

)

select * from final
