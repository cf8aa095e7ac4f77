{#- The audit rows (source_table, record_id, reason, detected_at, details) of the records of every raw table in
    `source_tables` whose latest load holds two or more rows that disagree (same key, same load time, different
    values: staging keeps one of them arbitrarily, so neither can be trusted), from int_raw_records_counted.
    Identical copies are harmless re-deliveries and are not listed. -#}
{% macro conflicting_duplicate_records(source_tables, details) %}
    select
        source_table,
        record_id,
        'conflicting_duplicate_id' as reason,
        latest_loaded_at as detected_at,
        '{{ details }}' as details
    from {{ ref('int_raw_records_counted') }}
    where
        latest_versions > 1
        and source_table in ('{{ source_tables | join("', '") }}')
{% endmacro %}
