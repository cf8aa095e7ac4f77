-- Grain: one row per raw table, column and free-text value that the mapping seeds do not know: lead sources
-- missing from channel_mapping, stage names missing from stage_mapping. The records keep their value and
-- reach the marts under the channel or stage 'unmapped' (each is also in audit_flagged_records); this list
-- is what to add to the seeds. Counted over the records the marts use (live, not quarantined).
with

leads as (

    select * from {{ ref('int_leads_validated') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

opportunity_changes as (

    select * from {{ ref('int_opportunity_changes_validated') }}

),

stages as (

    select * from {{ ref('stage_mapping') }}

),

channels as (

    select * from {{ ref('channel_mapping') }}

),

values_used as (

    select
        'channel_mapping' as mapping_seed,
        'salesforce.lead' as source_table,
        'lead_source' as source_column,
        lead_source as raw_value,
        synced_at
    from leads
    union all
    select
        'channel_mapping' as mapping_seed,
        'salesforce.opportunity' as source_table,
        'lead_source' as source_column,
        lead_source as raw_value,
        synced_at
    from opportunities
    union all
    select
        'stage_mapping' as mapping_seed,
        'salesforce.opportunity' as source_table,
        'stage_name' as source_column,
        stage_name as raw_value,
        synced_at
    from opportunities
    union all
    select
        'stage_mapping' as mapping_seed,
        'salesforce.opportunity_history' as source_table,
        'stage_name' as source_column,
        stage_name as raw_value,
        synced_at
    from opportunity_changes

),

unmapped as (

    select values_used.*
    from values_used
    left join channels
        on
            values_used.mapping_seed = 'channel_mapping'
            and values_used.raw_value = channels.lead_source
    left join stages
        on
            values_used.mapping_seed = 'stage_mapping'
            and values_used.raw_value = stages.raw_stage_name
    where
        values_used.raw_value is not null
        and channels.lead_source is null
        and stages.raw_stage_name is null

),

final as (

    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(source_column as {{ dbt.type_string() }}) as source_column,
        cast(raw_value as {{ dbt.type_string() }}) as raw_value,
        cast(mapping_seed as {{ dbt.type_string() }}) as mapping_seed,
        cast(count(*) as {{ dbt.type_bigint() }}) as record_count,
        cast(min(synced_at) as {{ dbt.type_timestamp() }}) as first_loaded_at,
        cast(max(synced_at) as {{ dbt.type_timestamp() }}) as last_loaded_at
    from unmapped
    group by source_table, source_column, raw_value, mapping_seed

)

select * from final
