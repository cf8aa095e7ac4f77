-- One row per live change to a live deal the marts may use: stg_salesforce__opportunity_changes minus the records
-- int_records_quarantined holds out (salesforce.opportunity_history). Where opportunity_history holds no change and
-- the connector lands salesforce.opportunity in history mode, the deals' versions are their change history instead
-- (stg_salesforce__opportunity_versions, live deals only), each with its own forecast category and closed/won flags
-- (null on opportunity_history's changes, which carry none: the stage's defaults apply). change_source says which.
-- Protected, not private, so the data_quality audit can count what reaches the marts.
{{ config(access='protected') }}

with

opportunity_changes as (

    select * from {{ ref('stg_salesforce__opportunity_changes') }}

),

opportunity_versions as (

    select * from {{ ref('stg_salesforce__opportunity_versions') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

quarantined as (

    select distinct record_id
    from {{ ref('int_records_quarantined') }}
    where source_table = 'salesforce.opportunity_history'

),

recorded as (

    select count(*) as changes
    from opportunity_changes

),

final as (

    select
        opportunity_changes.opportunity_change_id,
        opportunity_changes.opportunity_id,
        opportunity_changes.changed_at,
        opportunity_changes.stage_name,
        {{ try_cast('opportunity_changes.amount', dbt.type_numeric()) }} as amount,
        opportunity_changes.close_date,
        opportunity_changes.probability,
        cast(null as {{ dbt.type_string() }}) as forecast_category,
        cast(null as {{ dbt.type_boolean() }}) as is_closed,
        cast(null as {{ dbt.type_boolean() }}) as is_won,
        cast('opportunity_history' as {{ dbt.type_string() }}) as change_source,
        opportunity_changes.synced_at
    from opportunity_changes
    left join quarantined
        on opportunity_changes.opportunity_change_id = quarantined.record_id
    where quarantined.record_id is null
    union all
    select
        opportunity_versions.opportunity_change_id,
        opportunity_versions.opportunity_id,
        opportunity_versions.changed_at,
        opportunity_versions.stage_name,
        {{ try_cast('opportunity_versions.amount', dbt.type_numeric()) }} as amount,
        opportunity_versions.close_date,
        opportunity_versions.probability,
        opportunity_versions.forecast_category,
        opportunity_versions.is_closed,
        opportunity_versions.is_won,
        cast('opportunity_versions' as {{ dbt.type_string() }}) as change_source,
        opportunity_versions.synced_at
    from opportunity_versions
    inner join opportunities
        on opportunity_versions.opportunity_id = opportunities.opportunity_id
    cross join recorded
    where recorded.changes = 0

)

select * from final
