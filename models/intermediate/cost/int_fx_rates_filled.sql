-- One row per currency and day: the USD value of one unit, with the last known rate carried forward
-- over days the finance feed skipped (weekends, holidays), for at most fx_max_carry_forward_days days:
-- after that the rate is null (money on such a day has no USD value and is flagged stale_fx_rate).
-- USD is always 1.
{{ config(access='protected') }}

with

rates as (

    select * from {{ ref('int_fx_rates_validated') }}

),

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

currencies as (

    select
        currency_code,
        min(rate_date) as first_rate_date
    from rates
    where currency_code != 'USD'
    group by currency_code

),

currency_days as (

    select
        currencies.currency_code,
        calendar.date_day
    from currencies
    inner join calendar
        on currencies.first_rate_date <= calendar.date_day

),

observed as (

    select
        currency_days.currency_code,
        currency_days.date_day,
        rates.rate_to_usd,
        rates.rate_date
    from currency_days
    left join rates
        on
            currency_days.currency_code = rates.currency_code
            and currency_days.date_day = rates.rate_date

),

filled as (

    select
        currency_code,
        date_day,
        {{ last_value_ignore_nulls('rate_to_usd') }} over (
            partition by currency_code order by date_day
            rows between unbounded preceding and current row
        ) as rate_to_usd,
        {{ last_value_ignore_nulls('rate_date') }} over (
            partition by currency_code order by date_day
            rows between unbounded preceding and current row
        ) as rate_observed_date
    from observed

),

usd as (

    select
        'USD' as currency_code,
        date_day,
        cast(1 as {{ dbt.type_numeric() }}) as rate_to_usd,
        date_day as rate_observed_date
    from calendar

),

final as (

    select
        currency_code,
        date_day,
        case
            when {{ dbt.datediff('rate_observed_date', 'date_day', 'day') }} <= {{ var('fx_max_carry_forward_days') }}
                then rate_to_usd
        end as rate_to_usd,
        rate_observed_date
    from filled
    union all
    select
        currency_code,
        date_day,
        rate_to_usd,
        rate_observed_date
    from usd

)

select * from final
