with

source as (

    select * from {{ source('linkedin_ads', 'ad_analytics_by_campaign') }}

),

renamed as (

    select
        cast(day as date) as spend_date,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
        cast(cost_in_local_currency as {{ dbt.type_numeric() }}) as spend,
        cast(upper(trim(currency_code)) as {{ dbt.type_string() }}) as currency_code,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins
    select
        *,
        row_number() over (
            partition by campaign_id, spend_date
            order by synced_at desc
        ) as load_order
    from renamed

),

final as (

    select
        spend_date,
        campaign_id,
        campaign_name,
        spend,
        currency_code,
        impressions,
        clicks,
        synced_at
    from deduplicated
    where load_order = 1

)

select * from final
