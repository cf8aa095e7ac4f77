-- Grain: one row per mql_month, channel and response_band ('<1h', '1-24h', '24-48h', '>48h', 'never'):
-- MQL -> SQL cohort conversion by how fast sales first touched the lead. Same population as
-- rpt_speed_to_lead (leads with a dated MQL); a recent MQL not yet touched sits in 'never', and shows as
-- still open.
with

leads as (

    select * from {{ ref('int_leads_stage_dated') }}

),

mqls as (

    select
        lead_id,
        cast({{ dbt.date_trunc('month', 'mql_at') }} as date) as mql_month,
        channel,
        response_band,
        has_reached_sql,
        has_exited,
        as_of_date
    from leads
    where mql_at is not null

),

aggregated as (

    select
        mql_month,
        channel,
        response_band,
        as_of_date,
        count(*) as mql_count,
        count(case when has_reached_sql then lead_id end) as sql_count,
        count(case when not has_reached_sql and not has_exited then lead_id end) as still_open_count
    from mqls
    group by
        mql_month,
        channel,
        response_band,
        as_of_date

),

final as (

    select
        mql_month,
        channel,
        response_band,
        mql_count,
        sql_count,
        still_open_count,
        {{ safe_divide('sql_count', 'mql_count') }} as mql_to_sql_rate,
        as_of_date
    from aggregated

)

select * from final
