-- Grain: one row per raw table: where every raw row went. raw_rows = staged_rows + inactive_history_rows +
-- superseded_rows + soft_deleted_rows + quarantined_rows, each counted from its own place: raw rows from every row
-- that landed (the file, before any landing filter), inactive history versions from the rows the landing set aside,
-- superseded and soft-deleted rows from its records (int_raw_records_counted: every copy of a record but its
-- latest is superseded; a record whose latest load is one delete is soft-deleted, conflicting copies at the
-- latest load are quarantined or flagged instead), quarantined rows from int_records_quarantined, staged rows
-- from the model the marts read (the validated model where there is a quarantine, else the staging model). The test
-- tests/audit/assert_raw_rows_reconcile.sql checks the sum against a fresh count of every raw table.
{%- set staged = {
    'salesforce.account': [ref('int_accounts_validated'), none],
    'salesforce.user': [ref('stg_salesforce__users'), none],
    'salesforce.lead': [ref('int_leads_validated'), none],
    'salesforce.contact': [ref('stg_salesforce__contacts'), none],
    'salesforce.opportunity': [ref('int_opportunities_validated'), none],
    'salesforce.opportunity_history': [ref('int_opportunity_changes_validated'), "change_source = 'opportunity_history'"],
    'salesforce.opportunity_stage': [ref('stg_salesforce__opportunity_stages'), none],
    'salesforce.opportunity_contact_role': [ref('stg_salesforce__opportunity_contact_roles'), none],
    'salesforce.task': [ref('stg_salesforce__tasks'), none],
    'salesforce.campaign': [ref('stg_salesforce__campaigns'), none],
    'salesforce.campaign_member': [ref('stg_salesforce__campaign_members'), none],
    'google_ads.campaign_stats': [ref('int_ad_spend_unioned'), "ad_platform = 'google_ads'"],
    'linkedin_ads.ad_analytics_by_campaign': [ref('int_ad_spend_unioned'), "ad_platform = 'linkedin_ads'"],
    'facebook_ads.basic_campaign': [ref('int_ad_spend_unioned'), "ad_platform = 'facebook_ads'"],
    'finance.expenses': [ref('int_expenses_validated'), none],
    'finance.fx_rates': [ref('int_fx_rates_validated'), none],
    'billing.subscription': [ref('int_subscriptions_validated'), none],
} %}

with

quarantined as (

    select
        source_table,
        count(distinct record_id) as quarantined_rows
    from {{ ref('int_records_quarantined') }}
    group by source_table

),

records as (

    select
        source_table,
        sum(raw_rows) - count(*) as superseded_rows,
        sum(case when is_deleted_at_latest and latest_versions = 1 then 1 else 0 end) as soft_deleted_rows
    from {{ ref('int_raw_records_counted') }}
    group by source_table

),

flagged as (

    select
        source_table,
        count(distinct record_id) as flagged_rows
    from {{ ref('int_records_flagged') }}
    group by source_table

),

tables as (

    {{ raw_row_accounting(staged) }}

),

final as (

    select
        cast(tables.source_table as {{ dbt.type_string() }}) as source_table,
        cast(tables.raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(tables.staged_rows as {{ dbt.type_bigint() }}) as staged_rows,
        cast(tables.inactive_history_rows as {{ dbt.type_bigint() }}) as inactive_history_rows,
        cast(coalesce(records.superseded_rows, 0) as {{ dbt.type_bigint() }}) as superseded_rows,
        cast(coalesce(records.soft_deleted_rows, 0) as {{ dbt.type_bigint() }}) as soft_deleted_rows,
        cast(coalesce(quarantined.quarantined_rows, 0) as {{ dbt.type_bigint() }}) as quarantined_rows,
        cast(coalesce(flagged.flagged_rows, 0) as {{ dbt.type_bigint() }}) as flagged_rows,
        tables.raw_rows = tables.staged_rows + tables.inactive_history_rows + coalesce(records.superseded_rows, 0)
        + coalesce(records.soft_deleted_rows, 0) + coalesce(quarantined.quarantined_rows, 0) as is_reconciled
    from tables
    left join records
        on tables.source_table = records.source_table
    left join quarantined
        on tables.source_table = quarantined.source_table
    left join flagged
        on tables.source_table = flagged.source_table

)

select * from final
