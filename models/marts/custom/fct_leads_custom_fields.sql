-- Grain: one row per live lead: its key and the org's own salesforce.lead columns listed in var
-- passthrough_columns (only the key until some are listed). The columns are the org's, so this model has no
-- enforced contract; join it to the mart on lead_id.
with

leads as (

    select * from {{ ref('int_leads_validated') }}

),

final as (

    select
        {{ passthrough_select('salesforce.lead', 'leads.') }}leads.lead_id
    from leads

)

select * from final
