-- One row per ad platform, campaign and day, in the platform's own currency: the three ad platforms
-- brought to one shape. Google reports spend in micros.
with

google as (

    select * from {{ ref('stg_google_ads__campaign_stats') }}

),

linkedin as (

    select * from {{ ref('stg_linkedin_ads__campaign_stats') }}

),

facebook as (

    select * from {{ ref('stg_facebook_ads__campaign_stats') }}

),

final as (

    select
        'google_ads' as ad_platform,
        spend_date,
        campaign_id,
        campaign_name,
        currency_code,
        cast(cost_micros / 1000000.0 as {{ dbt.type_numeric() }}) as spend,
        clicks,
        impressions
    from google
    union all
    select
        'linkedin_ads' as ad_platform,
        spend_date,
        campaign_id,
        campaign_name,
        currency_code,
        spend,
        clicks,
        impressions
    from linkedin
    union all
    select
        'facebook_ads' as ad_platform,
        spend_date,
        campaign_id,
        campaign_name,
        currency_code,
        spend,
        clicks,
        impressions
    from facebook

)

select * from final
