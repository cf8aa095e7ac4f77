-- Grain: one row per live lead. Built in int_leads_enriched; published here under the contract.
with

leads as (

    select * from {{ ref('int_leads_enriched') }}

),

final as (

    select
        lead_id,
        owner_id,
        lead_status,
        lead_source,
        channel,
        is_paid_channel,
        utm_campaign,
        icp_tier,
        icp_score,
        icp_version,
        created_at,
        mql_at,
        sql_at,
        opportunity_created_at,
        opportunity_id,
        account_id,
        won_at,
        lost_at,
        disqualified_reason,
        is_mql,
        is_sql,
        is_opportunity,
        is_won,
        is_lost,
        is_disqualified,
        has_skipped_mql,
        has_skipped_sql,
        first_response_at,
        response_minutes,
        sales_touch_count,
        marketing_score,
        marketing_score_band,
        has_bant_budget,
        has_bant_authority,
        has_bant_need,
        has_bant_timeline,
        bant_criteria_met,
        is_bant_assessed,
        is_bant_qualified
    from leads

)

select * from final
