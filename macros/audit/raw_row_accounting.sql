{#- One row per raw table of `staged` (<source>.<table> -> [relation the marts read, filter or none]): its raw
    rows, counted from every row that landed (landed_relation(): the file itself, before any landing filter), the
    rows the landing set aside as inactive history versions, and its staged rows, counted from the relation the
    marts read.
    Superseded and soft-deleted rows come from int_raw_records_counted (audit_raw_row_reconciliation). -#}
{% macro raw_row_accounting(staged) %}
    {%- for source_table, relation_and_filter in staged.items() %}
        {%- set relation, condition = relation_and_filter %}
        {%- set source_name, table_name = source_table.split('.') %}
    select
        '{{ source_table }}' as source_table,
        {%- set landed = landed_relation(source_table) %}
        (select count(*) from {{ landed }}) as raw_rows,
        {%- if landed.identifier.endswith('__landed') %}
        (
            select count(*) from {{ landed }} where _landing_set_aside = 'inactive_history_version'
        ) as inactive_history_rows,
        {%- else %}
        0 as inactive_history_rows,
        {%- endif %}
        (select count(*) from {{ relation }}{% if condition %} where {{ condition }}{% endif %}) as staged_rows
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}
