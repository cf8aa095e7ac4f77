-- The one place the shared ICP definition is scored. One row per scored record (lead or account) and
-- ICP version: the score under that version, the tier it gives, and whether that version was the one in
-- effect when the record was created. Every mart and report reads its tier from here.
with

leads as (

    select * from {{ ref('int_leads_validated') }}

),

accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

versions as (

    select * from {{ ref('icp_versions') }}

),

criteria as (

    select * from {{ ref('icp_criteria') }}

),

records as (

    select
        'lead' as record_type,
        lead_id as record_id,
        lower(trim(industry)) as industry,
        employee_count,
        country_code,
        cast(created_at as date) as created_date
    from leads
    union all
    select
        'account' as record_type,
        account_id as record_id,
        lower(trim(industry)) as industry,
        employee_count,
        country_code,
        cast(created_at as date) as created_date
    from accounts

),

categorical_matches as (

    select
        records.record_type,
        records.record_id,
        criteria.icp_version,
        criteria.criterion,
        criteria.points
    from records
    inner join criteria
        on
            criteria.attribute = 'industry'
            and records.industry = lower(criteria.match_value)
    union all
    select
        records.record_type,
        records.record_id,
        criteria.icp_version,
        criteria.criterion,
        criteria.points
    from records
    inner join criteria
        on
            criteria.attribute = 'country_code'
            and records.country_code = upper(criteria.match_value)

),

range_matches as (

    select
        records.record_type,
        records.record_id,
        criteria.icp_version,
        criteria.criterion,
        criteria.points
    from records
    inner join criteria
        on
            criteria.attribute = 'employee_count'
            and records.employee_count between criteria.min_value and criteria.max_value

),

criteria_met as (

    -- a criterion counts once, whatever number of its values match
    select
        record_type,
        record_id,
        icp_version,
        criterion,
        max(points) as points
    from (
        select * from categorical_matches
        union all
        select * from range_matches
    ) as matches
    group by record_type, record_id, icp_version, criterion

),

scores as (

    select
        record_type,
        record_id,
        icp_version,
        cast(sum(points) as {{ dbt.type_int() }}) as icp_score
    from criteria_met
    group by record_type, record_id, icp_version

),

version_windows as (

    select
        icp_version,
        effective_from,
        lead(effective_from) over (order by effective_from) as effective_until,
        min(effective_from) over () as first_effective_from,
        tier_a_min_score,
        tier_b_min_score
    from versions

),

record_versions as (

    select
        records.record_type,
        records.record_id,
        records.created_date,
        version_windows.icp_version,
        version_windows.tier_a_min_score,
        version_windows.tier_b_min_score,
        -- a record created before the first version is scored under the first version
        coalesce(
            coalesce(records.created_date, version_windows.first_effective_from)
            >= version_windows.effective_from
            or (
                coalesce(records.created_date, version_windows.first_effective_from)
                < version_windows.first_effective_from
                and version_windows.effective_from = version_windows.first_effective_from
            ),
            false
        )
        and (
            version_windows.effective_until is null
            or coalesce(records.created_date, version_windows.first_effective_from)
            < version_windows.effective_until
        ) as is_version_in_effect,
        records.industry is not null
        and records.employee_count is not null
        and records.country_code is not null as has_complete_firmographics
    from records
    cross join version_windows

),

final as (

    select
        record_versions.record_type,
        record_versions.record_id,
        record_versions.icp_version,
        cast(coalesce(scores.icp_score, 0) as {{ dbt.type_int() }}) as icp_score,
        case
            when coalesce(scores.icp_score, 0) >= record_versions.tier_a_min_score then 'A'
            when coalesce(scores.icp_score, 0) >= record_versions.tier_b_min_score then 'B'
            else 'C'
        end as icp_tier,
        record_versions.is_version_in_effect,
        record_versions.has_complete_firmographics
    from record_versions
    left join scores
        on
            record_versions.record_type = scores.record_type
            and record_versions.record_id = scores.record_id
            and record_versions.icp_version = scores.icp_version

)

select * from final
