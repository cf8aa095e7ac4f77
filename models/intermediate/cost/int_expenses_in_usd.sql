-- Grain: one row per booked expense line, in the original currency and in USD (FX on the month's first
-- day). Headcount and tools usually carry no channel: blended CAC includes them, CAC by channel reports
-- them as unattributed. fct_expenses publishes it; CAC reads it.
with

expenses as (

    select * from {{ ref('int_expenses_validated') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_filled') }}

),

final as (

    select
        expenses.expense_id,
        expenses.expense_month,
        expenses.department,
        expenses.category,
        coalesce(expenses.channel, 'unattributed') as channel,
        expenses.amount,
        expenses.currency_code,
        cast(expenses.amount * fx_rates.rate_to_usd as {{ dbt.type_numeric() }}) as amount_usd
    from expenses
    left join fx_rates
        on
            expenses.currency_code = fx_rates.currency_code
            and expenses.expense_month = fx_rates.date_day

)

select * from final
