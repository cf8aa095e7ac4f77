-- Grain: one row per mql_month (the month the lead became an MQL, skipped MQLs dated by their next
-- stage) and marketing_score_band. Sales acceptance of marketing's MQLs by as_of_date: accepted (reached
-- SQL), rejected (disqualified without reaching SQL; reasons in rpt_mql_rejection_reasons) or pending;
-- and how far marketing's score band agrees with sales's BANT qualification of the leads sales assessed.
with

leads as (

    select * from {{ ref('int_leads_stage_dated') }}

),

mqls as (

    select
        lead_id,
        cast({{ dbt.date_trunc('month', 'mql_entered_at') }} as date) as mql_month,
        marketing_score_band,
        has_skipped_mql,
        has_reached_sql as is_accepted,
        is_disqualified and not has_reached_sql as is_rejected,
        is_bant_assessed,
        is_bant_assessed and is_bant_qualified as is_bant_qualified,
        -- marketing and sales agree: a high band that sales qualifies, a low band that it does not
        case
            when not is_bant_assessed then null
            when marketing_score_band = 'high' then is_bant_qualified
            when marketing_score_band = 'low' then not is_bant_qualified
        end as is_score_bant_agreement,
        as_of_date
    from leads
    where has_reached_mql and mql_entered_at is not null

),

aggregated as (

    select
        mql_month,
        marketing_score_band,
        as_of_date,
        count(*) as mql_count,
        count(case when has_skipped_mql then lead_id end) as skipped_mql_count,
        count(case when is_accepted then lead_id end) as accepted_count,
        count(case when is_rejected then lead_id end) as rejected_count,
        count(case when not is_accepted and not is_rejected then lead_id end) as pending_count,
        count(case when is_bant_assessed then lead_id end) as bant_assessed_count,
        count(case when is_bant_qualified then lead_id end) as bant_qualified_count,
        count(case when is_score_bant_agreement then lead_id end) as score_bant_agreement_count,
        count(is_score_bant_agreement) as score_bant_comparable_count
    from mqls
    group by
        mql_month,
        marketing_score_band,
        as_of_date

),

final as (

    select
        mql_month,
        marketing_score_band,
        mql_count,
        skipped_mql_count,
        accepted_count,
        rejected_count,
        pending_count,
        {{ safe_divide('accepted_count', 'mql_count') }} as acceptance_rate,
        {{ safe_divide('rejected_count', 'mql_count') }} as rejection_rate,
        {{ safe_divide('accepted_count', 'accepted_count + rejected_count') }} as acceptance_rate_of_decided,
        bant_assessed_count,
        bant_qualified_count,
        {{ safe_divide('bant_qualified_count', 'bant_assessed_count') }} as bant_qualified_rate,
        case
            when marketing_score_band in ('high', 'low') then score_bant_agreement_count
        end as score_bant_agreement_count,
        case
            when marketing_score_band in ('high', 'low')
                then {{ safe_divide('score_bant_agreement_count', 'score_bant_comparable_count') }}
        end as score_bant_agreement_rate,
        as_of_date
    from aggregated

)

select * from final
