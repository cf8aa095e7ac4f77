-- Grain: one row per flagged raw record and reason: the warnings, published for the data-quality review.
-- Flags are decided in models/intermediate/flags/int_records_flagged.sql; this model only publishes them.
-- See docs/bad-input-catalogue.md.
with

flagged as (

    select * from {{ ref('int_records_flagged') }}

),

final as (

    select
        source_table,
        record_id,
        reason,
        detected_at,
        details
    from flagged

)

select * from final
