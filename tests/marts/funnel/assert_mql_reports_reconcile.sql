-- The MQL reports split the same MQLs: rejection reasons add up to rpt_mql_acceptance.rejected_count per
-- month and band, and the speed-to-lead conversion bands add up to rpt_speed_to_lead.mql_count per month
-- and channel. Returns the months and segments where they do not.
with

acceptance as (

    select * from {{ ref('rpt_mql_acceptance') }}

),

rejection_reasons as (

    select * from {{ ref('rpt_mql_rejection_reasons') }}

),

speed_to_lead as (

    select * from {{ ref('rpt_speed_to_lead') }}

),

speed_to_lead_conversion as (

    select * from {{ ref('rpt_speed_to_lead_conversion') }}

),

reasons_summed as (

    select
        mql_month,
        marketing_score_band,
        sum(rejected_count) as rejected_count
    from rejection_reasons
    group by
        mql_month,
        marketing_score_band

),

rejections_compared as (

    select
        'rejection_reasons' as check_name,
        acceptance.mql_month,
        acceptance.marketing_score_band as segment,
        acceptance.rejected_count as expected_count,
        coalesce(reasons_summed.rejected_count, 0) as actual_count
    from acceptance
    left join reasons_summed
        on
            acceptance.mql_month = reasons_summed.mql_month
            and acceptance.marketing_score_band = reasons_summed.marketing_score_band

),

bands_summed as (

    select
        mql_month,
        channel,
        sum(mql_count) as mql_count
    from speed_to_lead_conversion
    group by
        mql_month,
        channel

),

bands_compared as (

    select
        'response_bands' as check_name,
        coalesce(speed_to_lead.mql_month, bands_summed.mql_month) as mql_month,
        coalesce(speed_to_lead.channel, bands_summed.channel) as segment,
        coalesce(speed_to_lead.mql_count, 0) as expected_count,
        coalesce(bands_summed.mql_count, 0) as actual_count
    from speed_to_lead
    full outer join bands_summed
        on
            speed_to_lead.mql_month = bands_summed.mql_month
            and speed_to_lead.channel = bands_summed.channel

),

compared as (

    select * from rejections_compared
    union all
    select * from bands_compared

)

select *
from compared
where expected_count != actual_count
