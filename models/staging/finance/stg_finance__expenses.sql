with

source as (

    select * from {{ source('finance', 'expenses') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as expense_id,
        cast(month as date) as expense_month,
        cast(lower(trim(department)) as {{ dbt.type_string() }}) as department,
        cast(lower(trim(category)) as {{ dbt.type_string() }}) as category,
        cast(lower(trim(channel)) as {{ dbt.type_string() }}) as channel,
        cast(amount as {{ type_double() }}) as amount,
        cast(upper(trim(currency_code)) as {{ dbt.type_string() }}) as currency_code,
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
            partition by expense_id
            order by synced_at desc nulls last
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
        and expense_id is not null

)

select * from final
