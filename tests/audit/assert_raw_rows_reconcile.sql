-- Every raw row is accounted for: for each raw table, a fresh count of every row that landed equals
-- staged + inactive history versions + superseded + soft-deleted + quarantined in audit_raw_row_reconciliation
-- (a landing filter that drops rows without naming them fails here), and the model's
-- own raw count agrees. Returns the tables that do not reconcile (and any raw table the model misses).
with

fresh_counts as (

    {{ raw_row_counts() }}

),

reconciliation as (

    select * from {{ ref('audit_raw_row_reconciliation') }}

),

final as (

    select
        fresh_counts.source_table,
        fresh_counts.raw_rows as fresh_raw_rows,
        reconciliation.raw_rows,
        reconciliation.staged_rows,
        reconciliation.inactive_history_rows,
        reconciliation.superseded_rows,
        reconciliation.soft_deleted_rows,
        reconciliation.quarantined_rows
    from fresh_counts
    left join reconciliation
        on fresh_counts.source_table = reconciliation.source_table
    where
        reconciliation.source_table is null
        or fresh_counts.raw_rows != reconciliation.raw_rows
        or fresh_counts.raw_rows != reconciliation.staged_rows + reconciliation.inactive_history_rows
        + reconciliation.superseded_rows
        + reconciliation.soft_deleted_rows + reconciliation.quarantined_rows

)

select * from final
