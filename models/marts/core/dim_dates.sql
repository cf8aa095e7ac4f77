-- Grain: one row per day from calendar_start_date to as_of_date. The calendar BI tools join to and the
-- MetricFlow time spine.
with

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

final as (

    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_date,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start_date,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_date
    from calendar

)

select * from final
