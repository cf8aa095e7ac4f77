{#- A fresh count of every raw table of the contract (raw_tables()), every row that landed (landed_relation()): one
    row (source_table, raw_rows) per table. -#}
{% macro raw_row_counts() %}
    {%- for source_table in raw_tables() %}
        {%- set source_name, table_name = source_table.split('.') %}
    select
        '{{ source_table }}' as source_table,
        count(*) as raw_rows
    from {{ landed_relation(source_table) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}
