-- Grain: one row per quarantined raw record and reason: the records held out of every mart, published for
-- the data-quality review. Quarantine is decided in models/intermediate/checks/int_records_quarantined.sql;
-- this model only publishes it. See docs/bad-input-catalogue.md.
with

quarantined as (

    select * from {{ ref('int_records_quarantined') }}

),

final as (

    select
        source_table,
        record_id,
        reason,
        detected_at,
        details
    from quarantined

)

select * from final
