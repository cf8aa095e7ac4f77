with

source as (

    select * from {{ source('finance', 'expenses') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as expense_id,
        cast(month as date) as expense_month,
        cast(lower(trim(department)) as {{ dbt.type_string() }}) as department,
        cast(lower(trim(category)) as {{ dbt.type_string() }}) as category,
        cast(lower(trim(channel)) as {{ dbt.type_string() }}) as channel,
        cast(amount as {{ dbt.type_numeric() }}) as amount,
        cast(upper(trim(currency_code)) as {{ dbt.type_string() }}) as currency_code,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins
    select
        *,
        row_number() over (
            partition by expense_id
            order by synced_at desc
        ) as load_order
    from renamed

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
        synced_at
    from deduplicated
    where load_order = 1

)

select * from final
