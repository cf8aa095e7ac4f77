-- Every lead created by as_of_date is in exactly one lead cohort, and in the 'cohort' lead_to_* rows of
-- rpt_funnel_conversion: no lead is lost or counted twice between fct_leads and the funnel reports.
-- Returns a row when the totals differ.
with

leads as (

    select * from {{ ref('fct_leads') }}

),

lead_cohorts as (

    select * from {{ ref('rpt_funnel_lead_cohorts') }}

),

conversion as (

    select * from {{ ref('rpt_funnel_conversion') }}

),

as_of as (

    select cast({{ dbt.dateadd('day', 1, as_of_date()) }} as {{ dbt.type_timestamp() }}) as as_of_end

),

totals as (

    select
        (
            select count(*)
            from leads
            cross join as_of
            where leads.created_at < as_of.as_of_end
        ) as fct_leads_count,
        (select coalesce(sum(lead_count), 0) from lead_cohorts) as lead_cohorts_count,
        (
            select coalesce(sum(entered_count), 0)
            from conversion
            where conversion_type = 'cohort' and transition = 'lead_to_mql'
        ) as conversion_cohort_count

)

select *
from totals
where
    fct_leads_count != lead_cohorts_count
    or fct_leads_count != conversion_cohort_count
