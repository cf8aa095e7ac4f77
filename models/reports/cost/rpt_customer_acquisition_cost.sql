-- Grain: one row per month and channel, plus one row per month with channel = 'all' (the company total).
-- Built in int_acquisition_costs_monthly; published here under the contract.
with

acquisition_costs as (

    select * from {{ ref('int_acquisition_costs_monthly') }}

),

final as (

    select
        month_start_date,
        channel,
        is_paid_channel,
        is_complete_month,
        has_spend_data,
        has_expense_data,
        new_customers,
        new_customers_with_subscription,
        new_mrr_usd,
        paid_media_spend_usd,
        program_expense_usd,
        agency_expense_usd,
        events_expense_usd,
        headcount_expense_usd,
        tools_expense_usd,
        blended_cost_usd,
        paid_cac_usd,
        blended_cac_usd,
        new_mrr_per_new_customer_usd,
        cac_payback_months,
        months_in_window,
        trailing_new_customers,
        trailing_paid_media_spend_usd,
        trailing_blended_cost_usd,
        trailing_paid_cac_usd,
        trailing_blended_cac_usd,
        trailing_cac_payback_months
    from acquisition_costs

)

select * from final
