-- One row per day from calendar_start_date to as_of_date: the spine for FX filling, monthly
-- reports and the MetricFlow time spine.
with

days as (

    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('" ~ var('calendar_start_date') ~ "' as date)",
        end_date=dbt.dateadd('day', 1, as_of_date()),
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
