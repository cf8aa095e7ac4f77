{#- The audit rows (source_table, record_id, reason, detected_at, details) for the conflicting copies
    (conflicting_duplicates) of every raw table in `source_tables`, unioned. -#}
{% macro conflicting_duplicate_records(source_tables, details) %}
    {%- for source_table in source_tables %}
    select
        '{{ source_table }}' as source_table,
        record_id,
        'conflicting_duplicate_id' as reason,
        detected_at,
        '{{ details }}' as details
    from ({{ conflicting_duplicates(source_table) }}) as duplicates
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}
