-- One row per customer and month in which the customer had a live subscription at the month's start: its
-- starting MRR (USD) and whether it churned in the month, i.e. no live subscription was left at the month's
-- end (at as_of_date for the current month). A customer is the subscription's account (a subscription with
-- no account stands alone). An ended_at after as_of_date has not happened yet. Reads int_subscriptions_enriched
-- so MRR in USD, ICP tier and acquisition channel are decided once; int_churn_monthly and rpt_icp_calibration
-- read it.
with

subscriptions as (

    select * from {{ ref('int_subscriptions_enriched') }}

),

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

months as (

    select distinct month_start_date
    from calendar

),

checkpoints as (

    select
        month_start_date,
        cast(month_start_date as {{ dbt.type_timestamp() }}) as month_start_at,
        cast(
            case
                when {{ dbt.dateadd('month', 1, 'month_start_date') }} > {{ as_of_date() }} then {{ as_of_date() }}
                else {{ dbt.dateadd('month', 1, 'month_start_date') }}
            end as {{ dbt.type_timestamp() }}
        ) as month_end_at,
        {{ dbt.dateadd('month', 1, 'month_start_date') }} <= {{ as_of_date() }} as is_complete_month
    from months

),

live_subscriptions as (

    select
        coalesce(account_id, subscription_id) as customer_id,
        account_id,
        icp_tier,
        acquisition_channel,
        mrr_usd,
        started_at,
        case when ended_at <= {{ as_of_date() }} then ended_at end as ended_at
    from subscriptions
    where started_at is not null

),

customers as (

    select
        customer_id,
        max(account_id) as account_id,
        max(icp_tier) as icp_tier,
        max(acquisition_channel) as acquisition_channel
    from live_subscriptions
    group by customer_id

),

live_at_start as (

    select
        checkpoints.month_start_date,
        live_subscriptions.customer_id,
        count(*) as live_subscription_count,
        sum(live_subscriptions.mrr_usd) as starting_mrr_usd
    from checkpoints
    inner join live_subscriptions
        on
            checkpoints.month_start_at >= live_subscriptions.started_at
            and (
                live_subscriptions.ended_at is null
                or checkpoints.month_start_at < live_subscriptions.ended_at
            )
    group by checkpoints.month_start_date, live_subscriptions.customer_id

),

live_at_end as (

    select distinct
        checkpoints.month_start_date,
        live_subscriptions.customer_id
    from checkpoints
    inner join live_subscriptions
        on
            checkpoints.month_end_at >= live_subscriptions.started_at
            and (
                live_subscriptions.ended_at is null
                or checkpoints.month_end_at < live_subscriptions.ended_at
            )

),

final as (

    select
        live_at_start.month_start_date,
        live_at_start.customer_id,
        customers.account_id,
        customers.icp_tier,
        customers.acquisition_channel,
        checkpoints.is_complete_month,
        live_at_start.live_subscription_count,
        coalesce(live_at_start.starting_mrr_usd, 0) as starting_mrr_usd,
        live_at_end.customer_id is null as is_churned,
        case
            when live_at_end.customer_id is null then coalesce(live_at_start.starting_mrr_usd, 0)
            else 0
        end as churned_mrr_usd
    from live_at_start
    inner join customers
        on live_at_start.customer_id = customers.customer_id
    inner join checkpoints
        on live_at_start.month_start_date = checkpoints.month_start_date
    left join live_at_end
        on
            live_at_start.month_start_date = live_at_end.month_start_date
            and live_at_start.customer_id = live_at_end.customer_id

)

select * from final
