-- One row per ad platform, campaign and day, in the platform's own currency: the three ad platforms
-- brought to one shape, minus the rows int_records_quarantined holds out (negative spend or counts,
-- unknown currency, a day after as_of_date). Protected, not private, so the
-- data_quality audit can count what reaches the marts.
{{ config(access='protected') }}

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

quarantined as (

    select distinct
        source_table,
        record_id
    from {{ ref('int_records_quarantined') }}

),

unioned as (

    select
        'google_ads' as ad_platform,
        'google_ads.campaign_stats' as source_table,
        spend_date,
        campaign_id,
        campaign_name,
        currency_code,
        {{ try_cast('spend', dbt.type_numeric()) }} as spend,  -- finite and plausible where kept: checked
        clicks,
        impressions
    from google
    union all
    select
        'linkedin_ads' as ad_platform,
        'linkedin_ads.ad_analytics_by_campaign' as source_table,
        spend_date,
        campaign_id,
        campaign_name,
        currency_code,
        {{ try_cast('spend', dbt.type_numeric()) }} as spend,  -- finite and plausible where kept: checked
        clicks,
        impressions
    from linkedin
    union all
    select
        'facebook_ads' as ad_platform,
        'facebook_ads.basic_campaign' as source_table,
        spend_date,
        campaign_id,
        campaign_name,
        currency_code,
        {{ try_cast('spend', dbt.type_numeric()) }} as spend,  -- finite and plausible where kept: checked
        clicks,
        impressions
    from facebook

),

final as (

    select
        unioned.ad_platform,
        unioned.spend_date,
        unioned.campaign_id,
        unioned.campaign_name,
        unioned.currency_code,
        unioned.spend,
        unioned.clicks,
        unioned.impressions
    from unioned
    left join quarantined
        on
            unioned.source_table = quarantined.source_table
            and {{ audit_record_id(['unioned.campaign_id', 'unioned.spend_date']) }} = quarantined.record_id
    where quarantined.record_id is null

)

select * from final
