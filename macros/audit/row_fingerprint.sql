{#- A 64-bit fingerprint of a row's values in `columns` (quoted column names), for telling copies of a record
    apart: two rows with equal values have equal fingerprints; different values differ but for a negligible
    chance (2^-64 per pair). The engines' own multi-column hashes read the typed values directly; the portable
    default hashes the values cast to text and joined (md5, about twice the work). -#}
{% macro row_fingerprint(columns) %}
    {{ return(adapter.dispatch('row_fingerprint', 'revenue_engine')(columns)) }}
{% endmacro %}

{% macro default__row_fingerprint(columns) %}
    {%- set content = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first -%}{%- do content.append("'|'") -%}{%- endif -%}
        {%- do content.append("coalesce(" ~ dbt.cast(column, dbt.type_string()) ~ ", '<null>')") -%}
    {%- endfor -%}
    {{ return(dbt.hash(dbt.concat(content))) }}
{% endmacro %}

{% macro duckdb__row_fingerprint(columns) %}
    {{ return("hash(" ~ columns | join(", ") ~ ")") }}
{% endmacro %}

{% macro spark__row_fingerprint(columns) %}
    {{ return("xxhash64(" ~ columns | join(", ") ~ ")") }}
{% endmacro %}
