-- One row per live change to a live deal the marts may use: stg_salesforce__opportunity_changes minus the records int_records_quarantined holds
-- out (salesforce.opportunity_history). Protected, not private, so the data_quality audit can count what reaches the marts.
{{ config(access='protected') }}

with

opportunity_changes as (

    select * from {{ ref('stg_salesforce__opportunity_changes') }}

),

quarantined as (

    select distinct record_id
    from {{ ref('int_records_quarantined') }}
    where source_table = 'salesforce.opportunity_history'

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
        opportunity_changes.synced_at
    from opportunity_changes
    left join quarantined
        on opportunity_changes.opportunity_change_id = quarantined.record_id
    where quarantined.record_id is null

)

select * from final
