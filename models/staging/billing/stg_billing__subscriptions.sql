with

source as (

    select * from {{ source('billing', 'subscription') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as subscription_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(plan as {{ dbt.type_string() }}) as plan_name,
        cast(mrr as {{ dbt.type_numeric() }}) as mrr,
        cast(upper(trim(currency_code)) as {{ dbt.type_string() }}) as currency_code,
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(ended_at as {{ dbt.type_timestamp() }}) as ended_at,
        cast(lower(trim(status)) as {{ dbt.type_string() }}) as subscription_status,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins
    select
        *,
        row_number() over (
            partition by subscription_id
            order by synced_at desc
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

)

select * from final
