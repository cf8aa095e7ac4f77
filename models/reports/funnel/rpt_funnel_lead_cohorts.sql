-- Grain: one row per cohort_month (the month the leads were created), channel, lead_source and icp_tier.
-- The classic funnel of a lead cohort: how many of its leads reached each stage by as_of_date. A later
-- stage implies the earlier ones, so the counts never increase down the funnel (tested).
with

leads as (

    select * from {{ ref('int_leads_stage_dated') }}

),

cohorts as (

    select
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as cohort_month,
        channel,
        lead_source,
        icp_tier,
        as_of_date,
        count(*) as lead_count,
        count(case when has_reached_mql then lead_id end) as mql_count,
        count(case when has_reached_sql then lead_id end) as sql_count,
        count(case when has_reached_opportunity then lead_id end) as opportunity_count,
        count(case when has_reached_won then lead_id end) as won_count,
        count(case when is_lost then lead_id end) as lost_count,
        count(case when is_disqualified and not has_reached_opportunity then lead_id end) as disqualified_count,
        count(case when not has_reached_won and not has_exited then lead_id end) as still_open_count,
        count(case when has_skipped_mql then lead_id end) as skipped_mql_count,
        count(case when has_skipped_sql then lead_id end) as skipped_sql_count
    from leads
    group by
        cast({{ dbt.date_trunc('month', 'created_at') }} as date),
        channel,
        lead_source,
        icp_tier,
        as_of_date

),

final as (

    select
        cohort_month,
        channel,
        lead_source,
        icp_tier,
        lead_count,
        mql_count,
        sql_count,
        opportunity_count,
        won_count,
        lost_count,
        disqualified_count,
        still_open_count,
        skipped_mql_count,
        skipped_sql_count,
        {{ safe_divide('mql_count', 'lead_count') }} as lead_to_mql_rate,
        {{ safe_divide('sql_count', 'lead_count') }} as lead_to_sql_rate,
        {{ safe_divide('opportunity_count', 'lead_count') }} as lead_to_opportunity_rate,
        {{ safe_divide('won_count', 'lead_count') }} as lead_to_won_rate,
        as_of_date
    from cohorts

)

select * from final
