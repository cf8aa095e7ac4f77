{#- The key columns of raw table `<source>.<table>` (raw_table_keys), each cast to the type the source
    declares (text keys normalised like staging: trimmed, blank as null), so a raw key renders exactly like
    the staged one (a CSV date '2024-01-05' and a Parquet date give the same text). -#}
{% macro raw_key_columns(source_table) %}
    {%- set node = raw_source_node(source_table) -%}
    {%- set columns = [] -%}
    {%- for key in raw_table_keys(source_table) -%}
        {%- set declared = node.columns[key].data_type if key in node.columns else none -%}
        {%- if declared and declared | lower in ('varchar', 'string', 'text') -%}
            {%- do columns.append(normalize_id(adapter.quote(key))) -%}
        {%- elif declared -%}
            {%- do columns.append(dbt.cast(adapter.quote(key), declared)) -%}
        {%- else -%}
            {%- do columns.append(adapter.quote(key)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}
