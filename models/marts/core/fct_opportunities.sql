-- Grain: one row per live opportunity (deal). Built in int_opportunities_enriched; published here under the
-- contract.
with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

final as (

    select
        opportunity_id,
        account_id,
        owner_id,
        opportunity_name,
        opportunity_type,
        stage,
        raw_stage_name,
        is_closed,
        is_won,
        is_lost,
        amount,
        currency_code,
        amount_usd,
        created_at,
        closed_at,
        close_date,
        sales_cycle_days,
        days_in_current_stage,
        is_stalled,
        is_qualified_pipeline,
        lead_source,
        channel,
        source_lead_id,
        icp_tier,
        icp_score,
        icp_version,
        is_new_business,
        is_first_new_business,
        is_new_customer,
        forecast_category,
        probability,
        loss_reason
    from opportunities

)

select * from final
