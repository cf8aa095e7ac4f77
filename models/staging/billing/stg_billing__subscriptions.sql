with

source as (

    select * from {{ source('billing', 'subscription') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as subscription_id,
        {{ normalize_id('account_id') }} as account_id,
        cast(plan as {{ dbt.type_string() }}) as plan_name,
        cast(mrr as {{ type_double() }}) as mrr,
        cast(upper(trim(currency_code)) as {{ dbt.type_string() }}) as currency_code,
        {{ utc_timestamp('started_at') }} as started_at,
        {{ utc_timestamp('ended_at') }} as ended_at,
        cast(lower(trim(status)) as {{ dbt.type_string() }}) as subscription_status,
        {{ utc_timestamp('_loaded_at') }} as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins (a copy without a load time
    -- loses to one with; different copies at the same load are quarantined as conflicting_duplicate_id).
    -- Keyless rows are left out here and quarantined as missing_key.
    select
        *,
        row_number() over (
            partition by subscription_id
            order by synced_at desc nulls last
        ) as load_order
    from renamed

),

final as (

    select
        subscription_id,
        account_id,
        plan_name,
        mrr,
        currency_code,
        started_at,
        ended_at,
        subscription_status,
        synced_at
    from deduplicated
    where load_order = 1
        and subscription_id is not null

)

select * from final
