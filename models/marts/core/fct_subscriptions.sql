-- Grain: one row per subscription: MRR in the original currency and in USD (FX on the start date), its life
-- as of as_of_date, and the account's ICP tier and acquisition channel for churn by segment. Built in
-- int_subscriptions_enriched; published here under the contract.
with

subscriptions as (

    select * from {{ ref('int_subscriptions_enriched') }}

),

final as (

    select
        subscription_id,
        account_id,
        plan_name,
        subscription_status,
        mrr,
        currency_code,
        mrr_usd,
        started_at,
        ended_at,
        is_churned,
        is_active,
        has_known_account,
        icp_tier,
        acquisition_channel
    from subscriptions

)

select * from final
