-- Grain: one row per subscription: MRR in the original currency and in USD (FX on the start date), its
-- life as of as_of_date, and the account's ICP tier and acquisition channel for churn by segment.
-- fct_subscriptions publishes it; churn and CAC read it here.
with

subscriptions as (

    select * from {{ ref('int_subscriptions_validated') }}

),

accounts as (

    select * from {{ ref('int_accounts_validated') }}

),

icp as (

    select * from {{ ref('int_firmographics_scored') }}
    where record_type = 'account' and is_version_in_effect

),

acquired as (

    select * from {{ ref('int_accounts_acquired') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_filled') }}

),

final as (

    select
        subscriptions.subscription_id,
        subscriptions.account_id,
        subscriptions.plan_name,
        subscriptions.subscription_status,
        subscriptions.mrr,
        subscriptions.currency_code,
        cast(subscriptions.mrr * fx_rates.rate_to_usd as {{ dbt.type_numeric() }}) as mrr_usd,
        subscriptions.started_at,
        subscriptions.ended_at,
        subscriptions.ended_at is not null and subscriptions.ended_at <= {{ as_of_date() }} as is_churned,
        subscriptions.started_at <= {{ as_of_date() }}
        and (subscriptions.ended_at is null or subscriptions.ended_at > {{ as_of_date() }}) as is_active,
        accounts.account_id is not null as has_known_account,
        coalesce(icp.icp_tier, 'unknown') as icp_tier,
        coalesce(acquired.acquisition_channel, 'unattributed') as acquisition_channel
    from subscriptions
    left join accounts
        on subscriptions.account_id = accounts.account_id
    left join icp
        on subscriptions.account_id = icp.record_id
    left join acquired
        on subscriptions.account_id = acquired.account_id
    left join fx_rates
        on
            subscriptions.currency_code = fx_rates.currency_code
            and cast(subscriptions.started_at as date) = fx_rates.date_day

)

select * from final
