-- Grain: one row per day from calendar_start_date to as_of_date. The calendar BI tools join to and the
-- MetricFlow time spine; built in int_calendar_days, published here under the contract.
with

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

final as (

    select
        date_day,
        week_start_date,
        month_start_date,
        quarter_start_date,
        year_start_date
    from calendar

)

select * from final
