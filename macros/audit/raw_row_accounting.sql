{#- One row per raw table of `staged` (<source>.<table> -> [relation the marts read, filter or none]): its raw
    rows, counted from the raw table, and its staged rows, counted from the relation the marts read.
    Superseded and soft-deleted rows come from int_raw_records_counted (audit_raw_row_reconciliation). -#}
{% macro raw_row_accounting(staged) %}
    {%- for source_table, relation_and_filter in staged.items() %}
        {%- set relation, condition = relation_and_filter %}
        {%- set source_name, table_name = source_table.split('.') %}
    select
        '{{ source_table }}' as source_table,
        (select count(*) from {{ source(source_name, table_name) }}) as raw_rows,
        (select count(*) from {{ relation }}{% if condition %} where {{ condition }}{% endif %}) as staged_rows
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}
