-- Personal data the marts do not need (names, emails, phones, free text; meta personal_data in the
-- source YAML) is not selected here, so it never leaves the raw layer (README, Personal data).
{{
    config(
        materialized=incremental_staging(),
        unique_key='lead_id',
        post_hook='{{ remove_soft_deleted() }}',
    )
}}

with

source as (

    select * from {{ source('salesforce', 'lead') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as lead_id,
        cast(company as {{ dbt.type_string() }}) as company_name,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(industry as {{ dbt.type_string() }}) as industry,
        cast(number_of_employees as {{ dbt.type_bigint() }}) as employee_count,
        {{ try_cast('annual_revenue', dbt.type_numeric()) }} as annual_revenue_usd,
        cast(upper(trim(country)) as {{ dbt.type_string() }}) as country_code,
        cast(trim(lead_source) as {{ dbt.type_string() }}) as lead_source,
        cast(status as {{ dbt.type_string() }}) as lead_status,
        {{ normalize_id('owner_id') }} as owner_id,
        {{ utc_timestamp('created_date') }} as created_at,
        {{ utc_timestamp('mql_date__c') }} as mql_at,
        {{ utc_timestamp('sql_date__c') }} as sql_at,
        cast(lead_score__c as {{ dbt.type_float() }}) as marketing_score,
        cast(bant_budget__c as {{ dbt.type_boolean() }}) as has_bant_budget,
        cast(bant_authority__c as {{ dbt.type_boolean() }}) as has_bant_authority,
        cast(bant_need__c as {{ dbt.type_boolean() }}) as has_bant_need,
        cast(bant_timeline__c as {{ dbt.type_boolean() }}) as has_bant_timeline,
        cast(disqualified_reason__c as {{ dbt.type_string() }}) as disqualified_reason,
        cast(utm_source__c as {{ dbt.type_string() }}) as utm_source,
        cast(utm_medium__c as {{ dbt.type_string() }}) as utm_medium,
        cast(utm_campaign__c as {{ dbt.type_string() }}) as utm_campaign,
        cast(is_converted as {{ dbt.type_boolean() }}) as is_converted,
        {{ utc_timestamp('converted_date') }} as converted_at,
        {{ normalize_id('converted_account_id') }} as converted_account_id,
        {{ normalize_id('converted_contact_id') }} as converted_contact_id,
        {{ normalize_id('converted_opportunity_id') }} as converted_opportunity_id,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        {{ passthrough_select('salesforce.lead') }}{{ utc_timestamp('_fivetran_synced') }} as synced_at
    from source

),

new_loads as (

    select * from renamed{{ new_loads() }}

),

loaded as (

    select * from new_loads{{ kept_versions('new_loads', ['lead_id']) }}

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins (a copy without a load time
    -- loses to one with; different copies at the same load are quarantined as conflicting_duplicate_id).
    -- Keyless rows are left out here and quarantined as missing_key. A record whose latest load is a soft delete
    -- is removed by the post-hook (remove_soft_deleted) and counted in audit_raw_row_reconciliation.
    select
        *,
        row_number() over (
            partition by lead_id
            order by synced_at desc nulls last
        ) as load_order
    from loaded

),

final as (

    select
        lead_id,
        company_name,
        title,
        industry,
        employee_count,
        annual_revenue_usd,
        country_code,
        lead_source,
        lead_status,
        owner_id,
        created_at,
        mql_at,
        sql_at,
        marketing_score,
        has_bant_budget,
        has_bant_authority,
        has_bant_need,
        has_bant_timeline,
        disqualified_reason,
        utm_source,
        utm_medium,
        utm_campaign,
        is_converted,
        converted_at,
        converted_account_id,
        converted_contact_id,
        converted_opportunity_id,
        is_deleted,
        {{ passthrough_select('salesforce.lead') }}synced_at
    from deduplicated
    where load_order = 1
        and lead_id is not null
        and {{ soft_deleted_filter() }}  -- Spark: soft deletes here, not by the post-hook

)

select * from final
