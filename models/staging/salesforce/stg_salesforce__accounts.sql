with

source as (

    select * from {{ source('salesforce', 'account') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as account_id,
        cast(name as {{ dbt.type_string() }}) as account_name,
        cast(industry as {{ dbt.type_string() }}) as industry,
        cast(number_of_employees as {{ dbt.type_bigint() }}) as employee_count,
        {{ try_cast('annual_revenue', dbt.type_numeric()) }} as annual_revenue_usd,
        cast(upper(trim(billing_country)) as {{ dbt.type_string() }}) as country_code,
        cast(type as {{ dbt.type_string() }}) as account_type,
        {{ normalize_id('owner_id') }} as owner_id,
        {{ utc_timestamp('created_date') }} as created_at,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        {{ passthrough_select('salesforce.account') }}{{ utc_timestamp('_fivetran_synced') }} as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins (a copy without a load time
    -- loses to one with; different copies at the same load are quarantined as conflicting_duplicate_id).
    -- Keyless rows are left out here and quarantined as missing_key.
    select
        *,
        row_number() over (
            partition by account_id
            order by synced_at desc nulls last
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
        {{ passthrough_select('salesforce.account') }}synced_at
    from deduplicated
    where load_order = 1
        and account_id is not null
        and not is_deleted  -- soft deletes are counted in audit_raw_row_reconciliation

)

select * from final
