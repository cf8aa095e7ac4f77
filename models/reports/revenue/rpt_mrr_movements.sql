-- Grain: one row per month (from the first subscription's to as_of_date's) and segment (segment_type all /
-- icp_tier / acquisition_channel) with recurring revenue: each customer's MRR (USD) at the month's start against
-- its end (at as_of_date in the current month), as rpt_churn counts customers (a customer is the subscription's
-- account; live from started_at until ended_at). New: no live subscription at the start, one at the end, and
-- none ever before; reactivation: the same after an earlier one ended; expansion / contraction: live at both,
-- more / less MRR; churned: live at the start, none at the end (rpt_churn's churn). Every row holds opening +
-- new + reactivation + expansion - contraction - churned = closing. A subscription that started and ended
-- inside one month moves nothing. The "bad-fit customers churn" claim, in money, by ICP tier.
with

subscriptions as (

    select * from {{ ref('int_subscriptions_enriched') }}

),

calendar as (

    select * from {{ ref('int_calendar_days') }}

),

live_subscriptions as (

    select
        coalesce(account_id, subscription_id) as customer_id,
        icp_tier,
        acquisition_channel,
        coalesce(mrr_usd, 0) as mrr_usd,
        started_at,
        case when ended_at <= {{ as_of_date() }} then ended_at end as ended_at
    from subscriptions
    where started_at is not null

),

customers as (

    select
        customer_id,
        min(started_at) as first_started_at,
        max(icp_tier) as icp_tier,
        max(acquisition_channel) as acquisition_channel
    from live_subscriptions
    group by customer_id

),

bounds as (

    select min(started_at) as first_started_at
    from live_subscriptions

),

months as (

    select distinct calendar.month_start_date
    from calendar
    inner join bounds
        on calendar.date_day >= cast(bounds.first_started_at as date)

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
        ) as month_end_at
    from months

),

at_start as (

    select
        checkpoints.month_start_date,
        live_subscriptions.customer_id,
        sum(live_subscriptions.mrr_usd) as mrr_usd
    from checkpoints
    inner join live_subscriptions
        on
            checkpoints.month_start_at >= live_subscriptions.started_at
            and (live_subscriptions.ended_at is null or checkpoints.month_start_at < live_subscriptions.ended_at)
    group by checkpoints.month_start_date, live_subscriptions.customer_id

),

at_end as (

    select
        checkpoints.month_start_date,
        live_subscriptions.customer_id,
        sum(live_subscriptions.mrr_usd) as mrr_usd
    from checkpoints
    inner join live_subscriptions
        on
            checkpoints.month_end_at >= live_subscriptions.started_at
            and (live_subscriptions.ended_at is null or checkpoints.month_end_at < live_subscriptions.ended_at)
    group by checkpoints.month_start_date, live_subscriptions.customer_id

),

compared as (

    select
        coalesce(at_start.month_start_date, at_end.month_start_date) as month_start_date,
        coalesce(at_start.customer_id, at_end.customer_id) as customer_id,
        at_start.customer_id is not null as is_live_at_start,
        at_end.customer_id is not null as is_live_at_end,
        coalesce(at_start.mrr_usd, 0) as starting_mrr_usd,
        coalesce(at_end.mrr_usd, 0) as ending_mrr_usd
    from at_start
    full outer join at_end
        on
            at_start.month_start_date = at_end.month_start_date
            and at_start.customer_id = at_end.customer_id

),

classified as (

    select
        compared.month_start_date,
        compared.customer_id,
        customers.icp_tier,
        customers.acquisition_channel,
        compared.starting_mrr_usd,
        compared.ending_mrr_usd,
        case when compared.is_live_at_start then 1 else 0 end as is_customer_at_start,
        case when compared.is_live_at_end then 1 else 0 end as is_customer_at_end,
        case
            when not compared.is_live_at_start and customers.first_started_at >= checkpoints.month_start_at then 1
            else 0
        end as is_new,
        case
            when not compared.is_live_at_start and customers.first_started_at < checkpoints.month_start_at then 1
            else 0
        end as is_reactivated,
        case
            when
                compared.is_live_at_start and compared.is_live_at_end
                and compared.ending_mrr_usd > compared.starting_mrr_usd
                then 1
            else 0
        end as is_expanded,
        case
            when
                compared.is_live_at_start and compared.is_live_at_end
                and compared.ending_mrr_usd < compared.starting_mrr_usd
                then 1
            else 0
        end as is_contracted,
        case when compared.is_live_at_start and not compared.is_live_at_end then 1 else 0 end as is_churned
    from compared
    inner join customers
        on compared.customer_id = customers.customer_id
    inner join checkpoints
        on compared.month_start_date = checkpoints.month_start_date

),

segmented as (

    select
        classified.*,
        'all' as segment_type,
        'all' as segment_value
    from classified
    union all
    select
        classified.*,
        'icp_tier' as segment_type,
        coalesce(icp_tier, 'unknown') as segment_value
    from classified
    union all
    select
        classified.*,
        'acquisition_channel' as segment_type,
        coalesce(acquisition_channel, 'unattributed') as segment_value
    from classified

),

final as (

    select
        month_start_date,
        segment_type,
        segment_value,
        {{ as_of_date() }} < cast({{ dbt.dateadd('month', 1, 'month_start_date') }} as date) as is_current_month,
        cast(sum(starting_mrr_usd) as {{ dbt.type_numeric() }}) as opening_mrr_usd,
        cast(sum(case when is_new = 1 then ending_mrr_usd else 0 end) as {{ dbt.type_numeric() }}) as new_mrr_usd,
        cast(sum(case when is_reactivated = 1 then ending_mrr_usd else 0 end) as {{ dbt.type_numeric() }})
            as reactivation_mrr_usd,
        cast(sum(case when is_expanded = 1 then ending_mrr_usd - starting_mrr_usd else 0 end) as {{ dbt.type_numeric() }})
            as expansion_mrr_usd,
        cast(sum(case when is_contracted = 1 then starting_mrr_usd - ending_mrr_usd else 0 end) as {{ dbt.type_numeric() }})
            as contraction_mrr_usd,
        cast(sum(case when is_churned = 1 then starting_mrr_usd else 0 end) as {{ dbt.type_numeric() }}) as churned_mrr_usd,
        cast(sum(ending_mrr_usd) as {{ dbt.type_numeric() }}) as closing_mrr_usd,
        cast(sum(is_customer_at_start) as {{ dbt.type_bigint() }}) as customers_at_start,
        cast(sum(is_new) as {{ dbt.type_bigint() }}) as new_customers,
        cast(sum(is_reactivated) as {{ dbt.type_bigint() }}) as reactivated_customers,
        cast(sum(is_expanded) as {{ dbt.type_bigint() }}) as expanded_customers,
        cast(sum(is_contracted) as {{ dbt.type_bigint() }}) as contracted_customers,
        cast(sum(is_churned) as {{ dbt.type_bigint() }}) as churned_customers,
        cast(sum(is_customer_at_end) as {{ dbt.type_bigint() }}) as customers_at_end
    from segmented
    group by month_start_date, segment_type, segment_value

)

select * from final
