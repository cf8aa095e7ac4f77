-- The velocity reports count the deals fct_opportunities holds: every deal won or lost by as_of_date once
-- in the monthly rows, the current month's open qualified pipeline and the stalled list equal to the
-- governed flags. A row returned names the figure that disagrees.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

velocity as (

    select * from {{ ref('rpt_pipeline_velocity') }}
    where segment_type = 'all'

),

stalled as (

    select * from {{ ref('rpt_stalled_deals') }}

),

expected as (

    select
        sum(case when is_won and close_date <= {{ as_of_date() }} then 1 else 0 end) as won_deals,
        sum(case when is_lost and close_date <= {{ as_of_date() }} then 1 else 0 end) as lost_deals,
        sum(case when is_qualified_pipeline then 1 else 0 end) as open_qualified_opportunities,
        sum(case when is_stalled then 1 else 0 end) as stalled_deals
    from opportunities

),

reported as (

    select
        sum(won_deals) as won_deals,
        sum(lost_deals) as lost_deals,
        sum(case when is_current_month then open_qualified_opportunities else 0 end)
            as open_qualified_opportunities,
        (select count(*) from stalled) as stalled_deals
    from velocity

),

compared as (

    select
        'won_deals' as figure,
        expected.won_deals as expected_value,
        reported.won_deals as reported_value
    from expected
    cross join reported
    union all
    select
        'lost_deals' as figure,
        expected.lost_deals as expected_value,
        reported.lost_deals as reported_value
    from expected
    cross join reported
    union all
    select
        'open_qualified_opportunities' as figure,
        expected.open_qualified_opportunities as expected_value,
        reported.open_qualified_opportunities as reported_value
    from expected
    cross join reported
    union all
    select
        'stalled_deals' as figure,
        expected.stalled_deals as expected_value,
        reported.stalled_deals as reported_value
    from expected
    cross join reported

),

final as (

    select *
    from compared
    where coalesce(expected_value, 0) != coalesce(reported_value, 0)

)

select * from final
