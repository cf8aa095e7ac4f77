-- Grain: one row per snapshot date and deal open at its end: the deal records as each run loaded them, kept
-- across runs. Each run writes the day it describes (as_of_date) and replaces only that day; a full refresh
-- leaves it alone (macro recorded_history_config; dbt's snapshots need Delta, Iceberg or Hudi on Spark).
-- Values are the deal record's, not the change history's, so a history rewritten later shows against them
-- (fct_pipeline_snapshots; tests/python/test_incremental.py).
{{ config(**recorded_history_config('snapshot_date')) }}

with

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

enriched as (

    select * from {{ ref('int_opportunities_enriched') }}

),

stages as (

    select * from {{ ref('int_stage_names_resolved') }}

),

final as (

    select
        enriched.opportunity_id,
        enriched.stage,
        opportunities.stage_name as raw_stage_name,
        opportunities.amount,
        enriched.currency_code,
        enriched.amount_usd,
        opportunities.close_date,
        opportunities.probability,
        coalesce(opportunities.forecast_category, stages.forecast_category) as forecast_category,
        opportunities.owner_id,
        enriched.days_in_current_stage as days_in_stage,
        enriched.is_stalled,
        -- last: Spark's insert_overwrite wants the partition column at the end
        {{ as_of_date() }} as snapshot_date
    from enriched
    inner join opportunities
        on enriched.opportunity_id = opportunities.opportunity_id
    left join stages
        on opportunities.stage_name = stages.raw_stage_name
    where not enriched.is_closed

)

select * from final
