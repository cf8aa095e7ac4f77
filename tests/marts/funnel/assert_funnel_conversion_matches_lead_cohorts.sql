-- The 'cohort' lead_to_mql, lead_to_opportunity and lead_to_won rows of rpt_funnel_conversion and the
-- stage counts of rpt_funnel_lead_cohorts describe the same lead cohorts: they must agree row for row.
-- Returns the cohorts (month and segment) where they differ or where one side has no row.
with

conversion as (

    select * from {{ ref('rpt_funnel_conversion') }}
    where conversion_type = 'cohort'

),

lead_cohorts as (

    select * from {{ ref('rpt_funnel_lead_cohorts') }}

),

conversion_pivoted as (

    select
        period_month as cohort_month,
        channel,
        lead_source,
        icp_tier,
        max(case when transition = 'lead_to_mql' then entered_count end) as lead_count,
        max(case when transition = 'lead_to_mql' then converted_count end) as mql_count,
        max(case when transition = 'lead_to_opportunity' then converted_count end) as opportunity_count,
        max(case when transition = 'lead_to_won' then converted_count end) as won_count
    from conversion
    where transition in ('lead_to_mql', 'lead_to_opportunity', 'lead_to_won')
    group by
        period_month,
        channel,
        lead_source,
        icp_tier

),

compared as (

    select
        coalesce(lead_cohorts.cohort_month, conversion_pivoted.cohort_month) as cohort_month,
        coalesce(lead_cohorts.channel, conversion_pivoted.channel) as channel,
        coalesce(lead_cohorts.lead_source, conversion_pivoted.lead_source) as lead_source,
        coalesce(lead_cohorts.icp_tier, conversion_pivoted.icp_tier) as icp_tier,
        lead_cohorts.lead_count,
        conversion_pivoted.lead_count as conversion_lead_count,
        lead_cohorts.mql_count,
        conversion_pivoted.mql_count as conversion_mql_count,
        lead_cohorts.opportunity_count,
        conversion_pivoted.opportunity_count as conversion_opportunity_count,
        lead_cohorts.won_count,
        conversion_pivoted.won_count as conversion_won_count
    from lead_cohorts
    full outer join conversion_pivoted
        on
            lead_cohorts.cohort_month = conversion_pivoted.cohort_month
            and lead_cohorts.channel = conversion_pivoted.channel
            and lead_cohorts.lead_source = conversion_pivoted.lead_source
            and lead_cohorts.icp_tier = conversion_pivoted.icp_tier

)

select *
from compared
where
    lead_count is null
    or conversion_lead_count is null
    or lead_count != conversion_lead_count
    or mql_count != conversion_mql_count
    or opportunity_count != conversion_opportunity_count
    or won_count != conversion_won_count
