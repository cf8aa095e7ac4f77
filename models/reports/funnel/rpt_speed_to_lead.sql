-- Grain: one row per mql_month (the month of the lead's dated MQL) and channel. Speed-to-lead: minutes
-- from MQL to the first sales touch by as_of_date. Median and p90 over the leads worked; the shares
-- touched within 1 h / 24 h / 48 h are of all MQLs (a lead never touched was not touched in time).
-- Leads without an MQL date (skipped MQL) have no moment to respond from and are left out. Where no sales
-- touch is recorded at all (band 'not tracked': no task or user table landed) the touch counts and shares
-- are null, not 0: not known rather than never touched.
with

leads as (

    select * from {{ ref('int_leads_stage_dated') }}

),

mqls as (

    select
        lead_id,
        cast({{ dbt.date_trunc('month', 'mql_at') }} as date) as mql_month,
        channel,
        response_minutes,
        response_band,
        as_of_date
    from leads
    where mql_at is not null

),

aggregated as (

    select
        mql_month,
        channel,
        as_of_date,
        count(*) as mql_count,
        count(case when response_band = 'not tracked' then lead_id end) as not_tracked_count,
        count(case when response_band != 'never' then lead_id end) as worked_count,
        count(case when response_band = 'never' then lead_id end) as never_touched_count,
        count(case when response_band = '<1h' then lead_id end) as touched_within_1h_count,
        count(case when response_band in ('<1h', '1-24h') then lead_id end) as touched_within_24h_count,
        count(case when response_band in ('<1h', '1-24h', '24-48h') then lead_id end) as touched_within_48h_count,
        percentile_cont(0.5) within group (order by response_minutes) as median_response_minutes,
        percentile_cont(0.9) within group (order by response_minutes) as p90_response_minutes
    from mqls
    group by
        mql_month,
        channel,
        as_of_date

),

final as (

    select
        mql_month,
        channel,
        mql_count,
        case when not_tracked_count = 0 then worked_count end as worked_count,
        case when not_tracked_count = 0 then never_touched_count end as never_touched_count,
        case when not_tracked_count = 0 then touched_within_1h_count end as touched_within_1h_count,
        case when not_tracked_count = 0 then touched_within_24h_count end as touched_within_24h_count,
        case when not_tracked_count = 0 then touched_within_48h_count end as touched_within_48h_count,
        cast(median_response_minutes as {{ type_double() }}) as median_response_minutes,
        cast(p90_response_minutes as {{ type_double() }}) as p90_response_minutes,
        case
            when not_tracked_count = 0 then {{ safe_divide('touched_within_1h_count', 'mql_count') }}
        end as share_touched_within_1h,
        case
            when not_tracked_count = 0 then {{ safe_divide('touched_within_24h_count', 'mql_count') }}
        end as share_touched_within_24h,
        case
            when not_tracked_count = 0 then {{ safe_divide('touched_within_48h_count', 'mql_count') }}
        end as share_touched_within_48h,
        as_of_date
    from aggregated

)

select * from final
