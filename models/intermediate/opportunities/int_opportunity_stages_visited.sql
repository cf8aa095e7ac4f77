-- One row per opportunity and stage visit, from the deal's change history: consecutive changes in the
-- same canonical stage are one visit; a visit ends when the next one starts (open at as_of_date for the
-- current stage). Unmapped raw stage names stay as their own 'unmapped' visits.
with

changes as (

    select * from {{ ref('int_opportunity_changes_validated') }}

),

stages as (

    select * from {{ ref('int_stage_names_resolved') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

mapped as (

    select
        changes.opportunity_id,
        changes.opportunity_change_id,
        changes.changed_at,
        changes.stage_name as raw_stage_name,
        coalesce(stages.stage, 'unmapped') as stage,
        stages.stage_order,
        coalesce(stages.is_closed, false) as is_closed_stage
    from changes
    -- history of a deal that is soft-deleted or unknown has no live deal to describe
    inner join opportunities
        on changes.opportunity_id = opportunities.opportunity_id
    left join stages
        on changes.stage_name = stages.raw_stage_name
    where changes.stage_name is not null

),

ordered as (

    select
        *,
        lag(stage) over (
            partition by opportunity_id order by changed_at nulls last, opportunity_change_id
        ) as previous_stage
    from mapped

),

visit_starts as (

    select *
    from ordered
    where previous_stage is null or previous_stage != stage

),

visits as (

    select
        opportunity_id,
        opportunity_change_id,
        stage,
        raw_stage_name,
        stage_order,
        is_closed_stage,
        changed_at as entered_at,
        lead(changed_at) over (
            partition by opportunity_id order by changed_at nulls last, opportunity_change_id
        ) as exited_at,
        cast(row_number() over (
            partition by opportunity_id order by changed_at nulls last, opportunity_change_id
        ) as {{ dbt.type_bigint() }}) as visit_number
    from visit_starts

),

final as (

    select
        opportunity_id,
        visit_number,
        stage,
        raw_stage_name,
        stage_order,
        is_closed_stage,
        entered_at,
        exited_at,
        exited_at is null and not is_closed_stage as is_current_open_stage,
        -- a closed stage has no duration; the open stage runs to as_of_date (whole days: bigint on every engine)
        cast(case
            when not is_closed_stage
                then {{ dbt.datediff('entered_at', 'coalesce(exited_at, ' ~ as_of_date() ~ ')', 'day') }}
        end as {{ dbt.type_bigint() }}) as days_in_stage
    from visits

)

select * from final
