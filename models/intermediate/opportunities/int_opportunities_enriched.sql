-- Grain: one row per live opportunity (deal). The one place a deal's canonical stage, USD amount, sales
-- cycle, stall status, source channel, ICP tier and new-customer status are decided.
-- fct_opportunities publishes it; CAC reads it.
with

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

stages as (

    select * from {{ ref('int_stage_names_resolved') }}

),

sourced as (

    select * from {{ ref('int_opportunities_sourced') }}

),

visits as (

    select * from {{ ref('int_opportunity_stages_visited') }}

),

thresholds as (

    select * from {{ ref('int_stage_stall_thresholds') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_filled') }}

),

icp as (

    select * from {{ ref('int_firmographics_scored') }}
    where is_version_in_effect

),

acquired as (

    select * from {{ ref('int_accounts_acquired') }}

),

current_visits as (

    select
        opportunity_id,
        entered_at as current_stage_entered_at
    from (
        select
            opportunity_id,
            entered_at,
            row_number() over (partition by opportunity_id order by visit_number desc) as recency
        from visits
    ) as ranked
    where recency = 1

),

enriched as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id,
        opportunities.opportunity_name,
        opportunities.opportunity_type,
        coalesce(stages.stage, 'unmapped') as stage,
        opportunities.stage_name as raw_stage_name,
        -- the record's own flags; a record without them takes its stage's (the org's definition or the seed)
        coalesce(opportunities.is_closed, stages.is_closed, false) as is_closed,
        coalesce(opportunities.is_won, stages.is_won, false) as is_won,
        opportunities.amount,
        opportunities.currency_code,
        opportunities.created_at,
        case when coalesce(opportunities.is_closed, stages.is_closed) then opportunities.close_date end as close_date,
        opportunities.forecast_category,
        opportunities.probability,
        opportunities.loss_reason,
        coalesce(stages.is_qualified_pipeline, false) as is_qualified_stage,
        sourced.source_lead_id,
        sourced.lead_source,
        sourced.channel,
        coalesce(current_visits.current_stage_entered_at, opportunities.created_at) as current_stage_entered_at,
        {%- set cycle_days = dbt.datediff('opportunities.created_at', 'opportunities.close_date', 'day') %}
        cast({{ cycle_days }} as {{ dbt.type_bigint() }}) as cycle_days,
        -- money converts at the close date for closed deals and at as_of_date for open ones
        case
            when coalesce(opportunities.is_closed, stages.is_closed) then opportunities.close_date
            else {{ as_of_date() }}
        end as conversion_date
    from opportunities
    left join stages
        on opportunities.stage_name = stages.raw_stage_name
    left join sourced
        on opportunities.opportunity_id = sourced.opportunity_id
    left join current_visits
        on opportunities.opportunity_id = current_visits.opportunity_id

),

new_business_ranked as (

    select
        opportunity_id,
        row_number() over (
            partition by account_id order by created_at nulls last, opportunity_id
        ) as new_business_order
    from enriched
    where opportunity_type = 'New Business' and account_id is not null

),

final as (

    select
        enriched.opportunity_id,
        enriched.account_id,
        enriched.owner_id,
        enriched.opportunity_name,
        enriched.opportunity_type,
        enriched.stage,
        enriched.raw_stage_name,
        enriched.is_closed,
        enriched.is_won,
        enriched.is_closed and not enriched.is_won as is_lost,
        enriched.amount,
        enriched.currency_code,
        cast(enriched.amount * fx_rates.rate_to_usd as {{ dbt.type_numeric() }}) as amount_usd,
        -- the deal's one rate: its pipeline history converts at it too, so FX never shows as movement
        fx_rates.rate_to_usd,
        enriched.created_at,
        cast(enriched.close_date as {{ dbt.type_timestamp() }}) as closed_at,
        enriched.close_date,
        case
            when enriched.is_closed and enriched.cycle_days >= 0
                then enriched.cycle_days
        end as sales_cycle_days,
        cast(case
            when not enriched.is_closed
                then {{ dbt.datediff('enriched.current_stage_entered_at', as_of_date(), 'day') }}
        end as {{ dbt.type_bigint() }}) as days_in_current_stage,
        {{ is_stalled(
            'not enriched.is_closed',
            dbt.datediff('enriched.current_stage_entered_at', as_of_date(), 'day'),
            'thresholds.stalled_after_days',
        ) }} as is_stalled,
        not enriched.is_closed and enriched.is_qualified_stage as is_qualified_pipeline,
        enriched.lead_source,
        enriched.channel,
        enriched.source_lead_id,
        -- the account's fit; a deal without a known account takes its source lead's fit
        coalesce(account_icp.icp_tier, lead_icp.icp_tier) as icp_tier,
        coalesce(account_icp.icp_score, lead_icp.icp_score) as icp_score,
        coalesce(account_icp.icp_version, lead_icp.icp_version) as icp_version,
        enriched.opportunity_type = 'New Business' as is_new_business,
        coalesce(new_business_ranked.new_business_order = 1, false) as is_first_new_business,
        acquired.new_customer_opportunity_id is not null as is_new_customer,
        enriched.forecast_category,
        enriched.probability,
        enriched.loss_reason
    from enriched
    left join fx_rates
        on
            enriched.currency_code = fx_rates.currency_code
            and enriched.conversion_date = fx_rates.date_day
    left join thresholds
        on enriched.stage = thresholds.stage
    left join new_business_ranked
        on enriched.opportunity_id = new_business_ranked.opportunity_id
    left join acquired
        on enriched.opportunity_id = acquired.new_customer_opportunity_id
    left join icp as account_icp
        on
            account_icp.record_type = 'account'
            and enriched.account_id = account_icp.record_id
    left join icp as lead_icp
        on
            lead_icp.record_type = 'lead'
            and enriched.source_lead_id = lead_icp.record_id

)

select * from final
