-- One row per lead the marts may use: stg_salesforce__leads minus the records int_records_quarantined holds
-- out (salesforce.lead). Protected, not private, so the data_quality audit can count what reaches the marts.
{{ config(access='protected') }}

with

leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

quarantined as (

    select distinct record_id
    from {{ ref('int_records_quarantined') }}
    where source_table = 'salesforce.lead'

),

final as (

    select
        leads.lead_id,
        leads.company_name,
        leads.title,
        leads.industry,
        leads.employee_count,
        leads.annual_revenue_usd,
        leads.country_code,
        leads.lead_source,
        leads.lead_status,
        leads.owner_id,
        leads.created_at,
        leads.mql_at,
        leads.sql_at,
        leads.marketing_score,
        leads.has_bant_budget,
        leads.has_bant_authority,
        leads.has_bant_need,
        leads.has_bant_timeline,
        leads.disqualified_reason,
        leads.utm_source,
        leads.utm_medium,
        leads.utm_campaign,
        leads.is_converted,
        leads.converted_at,
        leads.converted_account_id,
        leads.converted_contact_id,
        leads.converted_opportunity_id,
        {{ passthrough_select('salesforce.lead', 'leads.') }}leads.synced_at
    from leads
    left join quarantined
        on leads.lead_id = quarantined.record_id
    where quarantined.record_id is null

)

select * from final
