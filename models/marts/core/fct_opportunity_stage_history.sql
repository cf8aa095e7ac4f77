-- Grain: one row per opportunity and stage visit: when the deal entered and left the stage and the days
-- it spent there (open stages run to as_of_date; closed stages have no duration).
with

visits as (

    select * from {{ ref('int_opportunity_stages_visited') }}

),

final as (

    select
        {{ dbt.concat(["opportunity_id", "'-'", dbt.cast("visit_number", dbt.type_string())]) }} as stage_visit_id,
        opportunity_id,
        visit_number,
        stage,
        raw_stage_name,
        stage_order,
        is_closed_stage,
        is_current_open_stage,
        entered_at,
        exited_at,
        days_in_stage
    from visits

)

select * from final
