-- Grain: one row per lead and run day on which the lead's status or owner differed from what the runs before
-- recorded (the first run records every lead; a lead that left the live leads, soft-deleted or quarantined, gets
-- a row with is_live false): the lead's status history, built up run by run. Kept across runs; each run writes
-- its as_of_date and replaces only that date, and a full refresh leaves it alone (macro recorded_history_config).
-- Changes only, not a daily copy: at 10M leads a daily copy would add 10M rows a day.
{{ config(**recorded_history_config('recorded_date')) }}

with

leads as (

    select * from {{ ref('int_leads_validated') }}

),

current_state as (

    select
        lead_id,
        lead_status,
        owner_id,
        true as is_live
    from leads

),

known as (

    -- each lead's state as the runs before this day last recorded it (nothing before the first run)
    {{ previously_recorded('lead_id', 'recorded_date', ['lead_id', 'lead_status', 'owner_id', 'is_live'], 'current_state') }}

),

changed as (

    select current_state.*
    from current_state
    left join known
        on current_state.lead_id = known.lead_id
    where
        known.lead_id is null
        or not known.is_live
        or known.lead_status is distinct from current_state.lead_status
        or known.owner_id is distinct from current_state.owner_id

    union all

    -- a lead recorded live that is no longer among the live leads
    select
        known.lead_id,
        known.lead_status,
        known.owner_id,
        false as is_live
    from known
    left join current_state
        on known.lead_id = current_state.lead_id
    where known.is_live and current_state.lead_id is null

),

final as (

    select
        lead_id,
        lead_status,
        owner_id,
        is_live,
        -- last: Spark's insert_overwrite wants the partition column at the end
        {{ as_of_date() }} as recorded_date
    from changed

)

select * from final
