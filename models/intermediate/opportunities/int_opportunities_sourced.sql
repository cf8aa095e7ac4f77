-- One row per opportunity: the lead that created it (if any) and the acquisition source that gets the
-- credit: the converting lead's source, else the opportunity's own lead source. Channel attribution for
-- CAC and funnel reports reads this; an unknown source stays visible as 'unmapped'/'unattributed'.
with

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

leads as (

    select * from {{ ref('int_leads_validated') }}

),

channels as (

    select * from {{ ref('channel_mapping') }}

),

converting_leads as (

    -- a deal is credited to its earliest converting lead when several leads name it
    select
        converted_opportunity_id as opportunity_id,
        lead_id,
        lead_source,
        row_number() over (
            partition by converted_opportunity_id
            order by created_at nulls last, lead_id
        ) as lead_order
    from leads
    where converted_opportunity_id is not null

),

sourced as (

    select
        opportunities.opportunity_id,
        converting_leads.lead_id as source_lead_id,
        coalesce(converting_leads.lead_source, opportunities.lead_source) as lead_source
    from opportunities
    left join converting_leads
        on
            opportunities.opportunity_id = converting_leads.opportunity_id
            and converting_leads.lead_order = 1

),

final as (

    select
        sourced.opportunity_id,
        sourced.source_lead_id,
        sourced.lead_source,
        {{ channel_of('sourced.lead_source', 'channels.channel') }} as channel
    from sourced
    left join channels
        on sourced.lead_source = channels.lead_source

)

select * from final
