{#- Ad spend in the model, per ad platform and currency, equals the raw ad platform tables to the cent:
    each platform's money column in currency units (raw_amount: the contract's divide_by), each after keeping the
    latest load of a campaign and day. Computed from the sources independently of the staging models, so a
    lost, duplicated or mis-scaled row fails it. With quarantine_model (audit_quarantined_records), the raw rows
    it holds out (by source table and audit_record_id of campaign and day) are not expected in the model; amounts
    are read as doubles and summed as decimals only after that, so a quarantined infinity never reaches a cast.
    Returns one row per platform and currency that disagrees. -#}
{% test spend_reconciles_to_raw(model, spend_column='spend', platform_column='ad_platform', currency_column='currency_code', quarantine_model=none) %}

with

raw_rows as (

    select
        'google_ads' as ad_platform,
        'google_ads.campaign_stats' as source_table,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(date as date) as spend_date,
        upper(trim(cast(currency_code as {{ dbt.type_string() }}))) as currency_code,
        cast({{ raw_amount('google_ads.campaign_stats', 'cost_micros') }} as {{ type_double() }}) as spend,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as loaded_at
    from {{ source('google_ads', 'campaign_stats') }}
    union all
    select
        'linkedin_ads' as ad_platform,
        'linkedin_ads.ad_analytics_by_campaign' as source_table,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(day as date) as spend_date,
        upper(trim(cast(currency_code as {{ dbt.type_string() }}))) as currency_code,
        cast({{ raw_amount('linkedin_ads.ad_analytics_by_campaign', 'cost_in_local_currency') }} as {{ type_double() }}) as spend,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as loaded_at
    from {{ source('linkedin_ads', 'ad_analytics_by_campaign') }}
    union all
    select
        'facebook_ads' as ad_platform,
        'facebook_ads.basic_campaign' as source_table,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(date as date) as spend_date,
        upper(trim(cast(account_currency as {{ dbt.type_string() }}))) as currency_code,
        cast({{ raw_amount('facebook_ads.basic_campaign', 'spend') }} as {{ type_double() }}) as spend,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as loaded_at
    from {{ source('facebook_ads', 'basic_campaign') }}

),

latest_loads as (

    select
        ad_platform,
        source_table,
        campaign_id,
        spend_date,
        currency_code,
        spend,
        row_number() over (
            partition by ad_platform, campaign_id, spend_date
            order by loaded_at desc
        ) as load_order
    from raw_rows

),

expected_rows as (

    select latest_loads.*
    from latest_loads
    {%- if quarantine_model is not none %}
    left join (
        select distinct
            source_table,
            record_id
        from {{ quarantine_model }}
    ) as quarantined
        on
            latest_loads.source_table = quarantined.source_table
            and {{ audit_record_id(['latest_loads.campaign_id', 'latest_loads.spend_date']) }} = quarantined.record_id
    where latest_loads.load_order = 1 and quarantined.record_id is null
    {%- else %}
    where latest_loads.load_order = 1
    {%- endif %}

),

raw_totals as (

    select
        ad_platform,
        coalesce(currency_code, 'none') as currency_code,
        -- summed as decimals; a non-finite amount the quarantine did not hold out is a failure of its own
        sum(cast(case when {{ is_finite('spend') }} then spend end as {{ dbt.type_numeric() }})) as spend,
        sum(case when not {{ is_finite('spend') }} then 1 else 0 end) as non_finite_rows
    from expected_rows
    group by ad_platform, coalesce(currency_code, 'none')

),

model_totals as (

    select
        {{ platform_column }} as ad_platform,
        coalesce({{ currency_column }}, 'none') as currency_code,
        sum({{ spend_column }}) as spend
    from {{ model }}
    group by {{ platform_column }}, coalesce({{ currency_column }}, 'none')

),

compared as (

    select
        coalesce(raw_totals.ad_platform, model_totals.ad_platform) as ad_platform,
        coalesce(raw_totals.currency_code, model_totals.currency_code) as currency_code,
        raw_totals.spend as raw_spend,
        raw_totals.non_finite_rows,
        model_totals.spend as model_spend
    from raw_totals
    full outer join model_totals
        on
            raw_totals.ad_platform = model_totals.ad_platform
            and raw_totals.currency_code = model_totals.currency_code

)

select *
from compared
where
    raw_spend is null
    or model_spend is null
    or non_finite_rows > 0
    or abs(raw_spend - model_spend) >= 0.005

{% endtest %}
