-- Grain: one row per live lead. The one place funnel progress is decided: which stages a lead reached
-- (a later stage implies the earlier ones, dated or not), when, its channel, ICP fit, speed-to-lead and
-- the two qualification views (marketing's score, sales's BANT). fct_leads publishes it; the funnel's dating
-- rule (int_leads_stage_dated) reads it.
with

leads as (

    select * from {{ ref('int_leads_validated') }}

),

channels as (

    select * from {{ ref('channel_mapping') }}

),

icp as (

    select * from {{ ref('int_firmographics_scored') }}
    where record_type = 'lead' and is_version_in_effect

),

touches as (

    select * from {{ ref('int_leads_touched') }}

),

-- speed-to-lead is measurable only where sales touches are recorded at all: with no task or user
-- table landed (or no task on any lead by a sales user) a lead is not "never touched", it is not known
touch_tracking as (

    select count(*) > 0 as is_sales_touch_tracked
    from touches

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

joined as (

    select
        leads.*,
        {{ channel_of('leads.lead_source', 'channels.channel') }} as channel,
        coalesce(channels.is_paid, false) as is_paid_channel,
        icp.icp_tier,
        icp.icp_score,
        icp.icp_version,
        coalesce(leads.mql_at, leads.created_at) as workable_at,
        touches.first_response_at,
        touch_tracking.is_sales_touch_tracked,
        case when touch_tracking.is_sales_touch_tracked then coalesce(touches.sales_touch_count, 0) end
            as sales_touch_count,
        opportunities.opportunity_id as matched_opportunity_id,
        opportunities.created_at as opportunity_created_at_crm,
        opportunities.is_won as opportunity_is_won,
        opportunities.is_closed as opportunity_is_closed,
        opportunities.close_date as opportunity_close_date,
        (case when leads.has_bant_budget then 1 else 0 end)
        + (case when leads.has_bant_authority then 1 else 0 end)
        + (case when leads.has_bant_need then 1 else 0 end)
        + (case when leads.has_bant_timeline then 1 else 0 end) as bant_criteria_met,
        coalesce(
            leads.has_bant_budget is not null
            or leads.has_bant_authority is not null
            or leads.has_bant_need is not null
            or leads.has_bant_timeline is not null,
            false
        ) as is_bant_assessed
    from leads
    left join channels
        on leads.lead_source = channels.lead_source
    left join icp
        on leads.lead_id = icp.record_id
    left join touches
        on leads.lead_id = touches.lead_id
    left join opportunities
        on leads.converted_opportunity_id = opportunities.opportunity_id
    cross join touch_tracking

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
        case
            when converted_opportunity_id is not null
                then coalesce(opportunity_created_at_crm, converted_at)
        end as opportunity_created_at,
        converted_opportunity_id as opportunity_id,
        converted_account_id as account_id,
        case when opportunity_is_won then cast(opportunity_close_date as {{ dbt.type_timestamp() }}) end as won_at,
        case
            when opportunity_is_closed and not opportunity_is_won
                then cast(opportunity_close_date as {{ dbt.type_timestamp() }})
        end as lost_at,
        disqualified_reason,
        -- funnel: reaching a stage implies having passed every earlier one
        mql_at is not null or sql_at is not null or converted_opportunity_id is not null as is_mql,
        sql_at is not null or converted_opportunity_id is not null as is_sql,
        converted_opportunity_id is not null as is_opportunity,
        coalesce(opportunity_is_won, false) as is_won,
        coalesce(opportunity_is_closed and not opportunity_is_won, false) as is_lost,
        disqualified_reason is not null or lead_status = 'Disqualified' as is_disqualified,
        mql_at is null and (sql_at is not null or converted_opportunity_id is not null) as has_skipped_mql,
        sql_at is null and converted_opportunity_id is not null as has_skipped_sql,
        first_response_at,
        {{ dbt.datediff('workable_at', 'first_response_at', 'minute') }} as response_minutes,
        is_sales_touch_tracked,
        sales_touch_count,
        marketing_score,
        case
            when marketing_score is null then 'unscored'
            when marketing_score >= {{ var('marketing_score_bands')['high'] }} then 'high'
            when marketing_score >= {{ var('marketing_score_bands')['medium'] }} then 'medium'
            else 'low'
        end as marketing_score_band,
        has_bant_budget,
        has_bant_authority,
        has_bant_need,
        has_bant_timeline,
        bant_criteria_met,
        is_bant_assessed,
        -- unknown, not "unqualified", until sales has assessed the lead
        case
            when is_bant_assessed then bant_criteria_met >= {{ var('bant_qualified_min_criteria') }}
        end as is_bant_qualified
    from joined

)

select * from final
