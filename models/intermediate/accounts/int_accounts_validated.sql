-- One row per account the marts may use: stg_salesforce__accounts minus the records int_records_quarantined
-- holds out (salesforce.account; none of its checks quarantine an account today, so the marts read accounts
-- the way they read every other entity, through its validated model). Protected, not private, so the
-- data_quality audit can count what reaches the marts.
{{ config(access='protected', materialized='view') }}

with

accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

quarantined as (

    select distinct record_id
    from {{ ref('int_records_quarantined') }}
    where source_table = 'salesforce.account'

),

final as (

    select
        accounts.account_id,
        accounts.account_name,
        accounts.industry,
        accounts.employee_count,
        accounts.annual_revenue_usd,
        accounts.country_code,
        accounts.account_type,
        accounts.owner_id,
        accounts.created_at,
        {{ passthrough_select('salesforce.account', 'accounts.') }}accounts.synced_at
    from accounts
    left join quarantined
        on accounts.account_id = quarantined.record_id
    where quarantined.record_id is null

)

select * from final
