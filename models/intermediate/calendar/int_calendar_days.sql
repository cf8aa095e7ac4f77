-- One row per day from calendar_start_date to as_of_date, with the week, month, quarter and year it falls
-- in: the spine for FX filling, monthly reports, dim_dates and the MetricFlow time spine.
with

days as (

    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('" ~ var('calendar_start_date') ~ "' as date)",
        end_date=dbt.dateadd('day', 1, as_of_date()),
    ) }}

),

spine as (

    select cast(date_day as date) as date_day
    from days

),

final as (

    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_date,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start_date,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_date
    from spine

)

select * from final
