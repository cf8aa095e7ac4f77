{#- A record's id as text: its key columns cast to text and joined by '|'. `columns` are column
    expressions already of their declared type (a staged key, or a raw key cast by raw_key_columns). -#}
{% macro audit_record_id(columns) %}
    {%- if columns | length == 1 -%}
        {{ return(dbt.cast(columns[0], dbt.type_string())) }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first -%}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append(dbt.cast(column, dbt.type_string())) -%}
    {%- endfor -%}
    {{ return(dbt.concat(parts)) }}
{% endmacro %}
