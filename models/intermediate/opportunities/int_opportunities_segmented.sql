-- Grain: one row per live deal and segment type: the segments the deal reports cut by, each deal once under
-- each type (all; owner, 'unknown' without one; channel, 'unattributed' without one; ICP tier, 'unknown'
-- without one), so a type's segments add up to the 'all' row. The one place these segment values are decided.
with

opportunities as (

    select * from {{ ref('int_opportunities_enriched') }}

),

final as (

    select
        opportunity_id,
        'all' as segment_type,
        'all' as segment_value
    from opportunities
    union all
    select
        opportunity_id,
        'owner' as segment_type,
        coalesce(owner_id, 'unknown') as segment_value
    from opportunities
    union all
    select
        opportunity_id,
        'channel' as segment_type,
        coalesce(channel, 'unattributed') as segment_value
    from opportunities
    union all
    select
        opportunity_id,
        'icp_tier' as segment_type,
        coalesce(icp_tier, 'unknown') as segment_value
    from opportunities

)

select * from final
