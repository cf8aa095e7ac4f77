-- Grain: one row per lead created by as_of_date. The funnel reports' one dating rule, written once:
-- a stage's effective date is the earliest known date of that stage or of any later one (reaching a
-- later stage implies the earlier ones were passed by then), so a skipped stage takes the next known
-- date. A stage counts as reached when it was reached by the end of as_of_date, or reached with no
-- date at all; dates after as_of_date have not happened yet.
with

leads as (

    select * from {{ ref('int_leads_enriched') }}

),

as_of as (

    select
        {{ as_of_date() }} as as_of_date,
        cast({{ dbt.dateadd('day', 1, as_of_date()) }} as {{ dbt.type_timestamp() }}) as as_of_end

),

leads_created as (

    select
        leads.*,
        as_of.as_of_date,
        as_of.as_of_end
    from leads
    cross join as_of
    where leads.created_at < as_of.as_of_end

),

opportunities_dated as (

    -- an opportunity closed (won or lost) before its recorded creation existed by its close date
    select
        *,
        case
            when coalesce(won_at, lost_at) < opportunity_created_at then coalesce(won_at, lost_at)
            else coalesce(opportunity_created_at, won_at, lost_at)
        end as opportunity_entered_at_any
    from leads_created

),

sqls_dated as (

    select
        *,
        case
            when opportunity_entered_at_any < sql_at then opportunity_entered_at_any
            else coalesce(sql_at, opportunity_entered_at_any)
        end as sql_entered_at_any
    from opportunities_dated

),

mqls_dated as (

    select
        *,
        case
            when sql_entered_at_any < mql_at then sql_entered_at_any
            else coalesce(mql_at, sql_entered_at_any)
        end as mql_entered_at_any
    from sqls_dated

),

as_of_applied as (

    -- reached by the end of as_of_date, or reached with no date at all
    select
        *,
        is_mql and coalesce(mql_entered_at_any < as_of_end, true) as has_reached_mql,
        is_sql and coalesce(sql_entered_at_any < as_of_end, true) as has_reached_sql,
        is_opportunity and coalesce(opportunity_entered_at_any < as_of_end, true) as has_reached_opportunity,
        is_won and coalesce(won_at < as_of_end, true) as has_reached_won,
        coalesce(is_lost and lost_at < as_of_end, false) as is_lost_by_as_of,
        first_response_at < as_of_end as is_touched_by_as_of
    from mqls_dated

),

final as (

    select
        lead_id,
        coalesce(lead_source, 'unattributed') as lead_source,
        channel,
        coalesce(icp_tier, 'unknown') as icp_tier,
        marketing_score_band,
        coalesce(is_bant_assessed, false) as is_bant_assessed,
        coalesce(is_bant_qualified, false) as is_bant_qualified,
        created_at,
        case when mql_at < as_of_end then mql_at end as mql_at,
        case when has_reached_mql then mql_entered_at_any end as mql_entered_at,
        case when has_reached_sql then sql_entered_at_any end as sql_entered_at,
        case when has_reached_opportunity then opportunity_entered_at_any end as opportunity_entered_at,
        case when has_reached_won then won_at end as won_at,
        case when is_lost_by_as_of then lost_at end as lost_at,
        has_reached_mql,
        has_reached_sql,
        has_reached_opportunity,
        has_reached_won,
        is_lost_by_as_of as is_lost,
        coalesce(is_disqualified, false) as is_disqualified,
        -- terminal exits: the opportunity lost, or the lead disqualified before it became one
        is_lost_by_as_of
        or (coalesce(is_disqualified, false) and not has_reached_opportunity) as has_exited,
        case when is_disqualified then coalesce(disqualified_reason, 'unspecified') end as disqualified_reason,
        has_skipped_mql and has_reached_mql as has_skipped_mql,
        has_skipped_sql and has_reached_sql as has_skipped_sql,
        case when is_touched_by_as_of then first_response_at end as first_response_at,
        case when is_touched_by_as_of then response_minutes end as response_minutes,
        -- speed-to-lead bands (metrics.md: within 1 h / 24 h / 48 h); minutes, lower bound inclusive
        case
            when not is_sales_touch_tracked then 'not tracked'
            when not coalesce(is_touched_by_as_of, false) or response_minutes is null then 'never'
            when response_minutes < 60 then '<1h'
            when response_minutes < 1440 then '1-24h'
            when response_minutes < 2880 then '24-48h'
            else '>48h'
        end as response_band,
        as_of_date
    from as_of_applied

)

select * from final
