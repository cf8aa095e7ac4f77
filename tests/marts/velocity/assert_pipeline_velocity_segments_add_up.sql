-- Each segment type partitions the deals: in every month the channel rows and the icp_tier rows add up to
-- the 'all' row (deals won and lost, amounts, open qualified pipeline). A row returned is a fan-out or a
-- dropped deal.
with

velocity as (

    select * from {{ ref('rpt_pipeline_velocity') }}

),

totals as (

    select
        month_start_date,
        segment_type,
        sum(won_deals) as won_deals,
        sum(lost_deals) as lost_deals,
        sum(won_amount_usd) as won_amount_usd,
        sum(lost_amount_usd) as lost_amount_usd,
        sum(trailing_won_deals) as trailing_won_deals,
        sum(trailing_lost_deals) as trailing_lost_deals,
        sum(open_qualified_opportunities) as open_qualified_opportunities
    from velocity
    group by month_start_date, segment_type

),

final as (

    select
        segments.month_start_date,
        segments.segment_type
    from totals as segments
    inner join totals as overall
        on
            segments.month_start_date = overall.month_start_date
            and overall.segment_type = 'all'
    where
        segments.segment_type != 'all'
        and (
            segments.won_deals != overall.won_deals
            or segments.lost_deals != overall.lost_deals
            or segments.won_amount_usd != overall.won_amount_usd
            or segments.lost_amount_usd != overall.lost_amount_usd
            or segments.trailing_won_deals != overall.trailing_won_deals
            or segments.trailing_lost_deals != overall.trailing_lost_deals
            or segments.open_qualified_opportunities != overall.open_qualified_opportunities
        )

)

select * from final
