-- Grain: one row per booked expense line, in the original currency and in USD (FX on the month's first day).
-- Built in int_expenses_in_usd; published here under the contract.
with

expenses as (

    select * from {{ ref('int_expenses_in_usd') }}

),

final as (

    select
        expense_id,
        expense_month,
        department,
        category,
        channel,
        amount,
        currency_code,
        amount_usd
    from expenses

)

select * from final
