{#- A condition true when every key column of raw table `<source>.<table>` is present (not null, not blank):
    the rows staging keeps. Keyless rows are quarantined as missing_key (missing_key_records). -#}
{% macro raw_key_present(source_table) %}
    {%- set conditions = [] -%}
    {%- for column in raw_key_columns(source_table) -%}
        {%- do conditions.append(column ~ " is not null") -%}
    {%- endfor -%}
    {{ return("(" ~ (conditions | join(" and ") or "1 = 1") ~ ")") }}
{% endmacro %}
