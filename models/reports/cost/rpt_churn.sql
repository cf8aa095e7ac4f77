-- Grain: one row per month, ICP tier and acquisition channel, with 'all' rows for each tier, each channel and
-- the company total (icp_tier = acquisition_channel = 'all'). Built in int_churn_monthly; published here
-- under the contract.
with

churn as (

    select * from {{ ref('int_churn_monthly') }}

),

final as (

    select
        month_start_date,
        icp_tier,
        acquisition_channel,
        is_complete_month,
        customers_at_start,
        customers_churned,
        logo_churn_rate,
        starting_mrr_usd,
        churned_mrr_usd,
        mrr_churn_rate,
        arpa_usd,
        months_in_window,
        trailing_customers_at_start,
        trailing_customers_churned,
        trailing_logo_churn_rate,
        trailing_mrr_churn_rate,
        ltv_usd,
        trailing_blended_cac_usd,
        ltv_to_cac_ratio
    from churn

)

select * from final
