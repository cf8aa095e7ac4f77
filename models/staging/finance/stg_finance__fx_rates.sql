with

source as (

    select * from {{ source('finance', 'fx_rates') }}

),

renamed as (

    select
        cast(date as date) as rate_date,
        cast(upper(trim(currency_code)) as {{ dbt.type_string() }}) as currency_code,
        cast(rate_to_usd as {{ type_double() }}) as rate_to_usd
    from source

),

final as (

    select
        rate_date,
        currency_code,
        rate_to_usd
    from renamed
    where currency_code is not null and rate_date is not null  -- keyless rows: quarantined as missing_key

)

select * from final
