with

source as (

    select * from {{ source('salesforce', 'opportunity') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as opportunity_id,
        {{ normalize_id('account_id') }} as account_id,
        {{ normalize_id('owner_id') }} as owner_id,
        cast(name as {{ dbt.type_string() }}) as opportunity_name,
        cast(type as {{ dbt.type_string() }}) as opportunity_type,
        cast(trim(lead_source) as {{ dbt.type_string() }}) as lead_source,
        {{ normalize_id('campaign_id') }} as campaign_id,
        cast(amount as {{ type_double() }}) as amount,
        cast(upper(trim(currency_iso_code)) as {{ dbt.type_string() }}) as currency_code,
        cast(trim(stage_name) as {{ dbt.type_string() }}) as stage_name,
        cast(probability as {{ dbt.type_float() }}) as probability,
        cast(forecast_category as {{ dbt.type_string() }}) as forecast_category,
        cast(is_closed as {{ dbt.type_boolean() }}) as is_closed,
        cast(is_won as {{ dbt.type_boolean() }}) as is_won,
        {{ utc_timestamp('created_date') }} as created_at,
        cast(close_date as date) as close_date,
        cast(loss_reason__c as {{ dbt.type_string() }}) as loss_reason,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        {{ passthrough_select('salesforce.opportunity') }}{{ utc_timestamp('_fivetran_synced') }} as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins (a copy without a load time
    -- loses to one with; different copies at the same load are quarantined as conflicting_duplicate_id).
    -- Keyless rows are left out here and quarantined as missing_key.
    select
        *,
        row_number() over (
            partition by opportunity_id
            order by synced_at desc nulls last
        ) as load_order
    from renamed

),

final as (

    select
        opportunity_id,
        account_id,
        owner_id,
        opportunity_name,
        opportunity_type,
        lead_source,
        campaign_id,
        amount,
        currency_code,
        stage_name,
        probability,
        forecast_category,
        is_closed,
        is_won,
        created_at,
        close_date,
        loss_reason,
        {{ passthrough_select('salesforce.opportunity') }}synced_at
    from deduplicated
    where load_order = 1
        and opportunity_id is not null
        and not is_deleted  -- soft deletes are counted in audit_raw_row_reconciliation

)

select * from final
