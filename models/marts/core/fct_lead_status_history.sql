-- Grain: one row per lead and recorded status: the lead's status and owner from the run day a run first saw
-- them (int_lead_statuses_recorded) until the day a run saw them change. Begins with the first run on this
-- warehouse: the CRM's lead records hold no past (a first run's rows start at its as_of_date).
with

recorded as (

    select * from {{ ref('int_lead_statuses_recorded') }}
    where recorded_date <= {{ as_of_date() }}

),

final as (

    select
        {{ dbt.concat(["lead_id", "'-'", dbt.cast("recorded_date", dbt.type_string())]) }} as lead_status_id,
        lead_id,
        lead_status,
        owner_id,
        is_live,
        recorded_date as valid_from_date,
        lead(recorded_date) over (partition by lead_id order by recorded_date) as valid_to_date,
        row_number() over (partition by lead_id order by recorded_date desc) = 1 as is_current
    from recorded

)

select * from final
