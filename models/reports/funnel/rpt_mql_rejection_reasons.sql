-- Grain: one row per mql_month, marketing_score_band and disqualified_reason: the MQLs sales rejected
-- (disqualified without reaching SQL) by as_of_date, by reason ('unspecified' when none was given).
-- Months and bands as in rpt_mql_acceptance, whose rejected_count these rows add up to.
with

leads as (

    select * from {{ ref('int_leads_stage_dated') }}

),

mqls as (

    select
        lead_id,
        cast({{ dbt.date_trunc('month', 'mql_entered_at') }} as date) as mql_month,
        marketing_score_band,
        disqualified_reason,
        is_disqualified and not has_reached_sql as is_rejected,
        as_of_date
    from leads
    where has_reached_mql and mql_entered_at is not null

),

band_totals as (

    select
        mql_month,
        marketing_score_band,
        count(*) as mql_count,
        count(case when is_rejected then lead_id end) as rejected_count
    from mqls
    group by
        mql_month,
        marketing_score_band

),

reasons as (

    select
        mql_month,
        marketing_score_band,
        disqualified_reason,
        as_of_date,
        count(*) as rejected_count
    from mqls
    where is_rejected
    group by
        mql_month,
        marketing_score_band,
        disqualified_reason,
        as_of_date

),

final as (

    select
        reasons.mql_month,
        reasons.marketing_score_band,
        reasons.disqualified_reason,
        reasons.rejected_count,
        {{ safe_divide('reasons.rejected_count', 'band_totals.rejected_count') }} as share_of_rejected,
        {{ safe_divide('reasons.rejected_count', 'band_totals.mql_count') }} as share_of_mqls,
        reasons.as_of_date
    from reasons
    inner join band_totals
        on
            reasons.mql_month = band_totals.mql_month
            and reasons.marketing_score_band = band_totals.marketing_score_band

)

select * from final
