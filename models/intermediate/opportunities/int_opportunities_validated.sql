-- One row per live opportunity (deal) the marts may use: stg_salesforce__opportunities minus the records int_records_quarantined holds
-- out (salesforce.opportunity). Protected, not private, so the data_quality audit can count what reaches the marts.
{{ config(access='protected') }}

with

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

quarantined as (

    select distinct record_id
    from {{ ref('int_records_quarantined') }}
    where source_table = 'salesforce.opportunity'

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id,
        opportunities.opportunity_name,
        opportunities.opportunity_type,
        opportunities.lead_source,
        opportunities.campaign_id,
        {{ try_cast('opportunities.amount', dbt.type_numeric()) }} as amount,  -- finite and plausible: checked
        opportunities.currency_code,
        opportunities.stage_name,
        opportunities.probability,
        opportunities.forecast_category,
        opportunities.is_closed,
        opportunities.is_won,
        opportunities.created_at,
        opportunities.close_date,
        opportunities.loss_reason,
        {{ passthrough_select('salesforce.opportunity', 'opportunities.') }}opportunities.synced_at
    from opportunities
    left join quarantined
        on opportunities.opportunity_id = quarantined.record_id
    where quarantined.record_id is null

)

select * from final
