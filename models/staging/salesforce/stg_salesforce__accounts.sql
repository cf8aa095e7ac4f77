with

source as (

    select * from {{ source('salesforce', 'account') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as account_id,
        cast(name as {{ dbt.type_string() }}) as account_name,
        cast(industry as {{ dbt.type_string() }}) as industry,
        cast(number_of_employees as {{ dbt.type_bigint() }}) as employee_count,
        cast(annual_revenue as {{ dbt.type_numeric() }}) as annual_revenue_usd,
        cast(upper(trim(billing_country)) as {{ dbt.type_string() }}) as country_code,
        cast(type as {{ dbt.type_string() }}) as account_type,
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(created_date as {{ dbt.type_timestamp() }}) as created_at,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins
    select
        *,
        row_number() over (
            partition by account_id
            order by synced_at desc
        ) as load_order
    from renamed

),

final as (

    select
        account_id,
        account_name,
        industry,
        employee_count,
        annual_revenue_usd,
        country_code,
        account_type,
        owner_id,
        created_at,
        synced_at
    from deduplicated
    where load_order = 1
        and not is_deleted  -- soft deletes are counted in audit_raw_row_reconciliation

)

select * from final
