-- Grain: one row per live opportunity (deal): its key and the org's own salesforce.opportunity columns listed in var
-- passthrough_columns (only the key until some are listed). The columns are the org's, so this model has no
-- enforced contract; join it to the mart on opportunity_id.
with

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

final as (

    select
        {{ passthrough_select('salesforce.opportunity', 'opportunities.') }}opportunities.opportunity_id
    from opportunities

)

select * from final
