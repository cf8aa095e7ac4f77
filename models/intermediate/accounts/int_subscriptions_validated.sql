-- One row per subscription the marts may use: stg_billing__subscriptions minus the records int_records_quarantined holds
-- out (billing.subscription). Protected, not private, so the data_quality audit can count what reaches the marts.
{{ config(access='protected') }}

with

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

quarantined as (

    select distinct record_id
    from {{ ref('int_records_quarantined') }}
    where source_table = 'billing.subscription'

),

final as (

    select
        subscriptions.subscription_id,
        subscriptions.account_id,
        subscriptions.plan_name,
        {{ try_cast('subscriptions.mrr', dbt.type_numeric()) }} as mrr,  -- finite and plausible: checked
        subscriptions.currency_code,
        subscriptions.started_at,
        subscriptions.ended_at,
        subscriptions.subscription_status,
        subscriptions.synced_at
    from subscriptions
    left join quarantined
        on subscriptions.subscription_id = quarantined.record_id
    where quarantined.record_id is null

)

select * from final
