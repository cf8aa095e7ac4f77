{#- The org's own columns of raw table `<source>.<table>` to carry into the marts, from var passthrough_columns
    ({'salesforce.account': ['segment_c', ...], 'salesforce.lead': [...], 'salesforce.opportunity': [...]}), as
    Fivetran's packages allow. A listed column must have landed and must not be a contract column (those are
    modelled already) or personal data; otherwise the run stops naming it. -#}
{% macro passthrough_columns(source_table) %}
    {%- set listed = var('passthrough_columns', {}).get(source_table, []) or [] -%}
    {%- if not listed or not execute -%}
        {{ return(listed | list) }}
    {%- endif -%}
    {%- set node = raw_source_node(source_table) -%}
    {%- set landed = raw_landed_columns(node) -%}
    {%- set problems = [] -%}
    {%- for column in listed -%}
        {%- set name = column | lower -%}
        {%- set declared = node.columns.get(name) -%}
        {%- set meta = node_meta(declared) -%}
        {%- if declared and meta.get('personal_data') -%}
            {%- do problems.append(source_table ~ "." ~ name ~ " is personal data: staging drops it (README, Personal data)") -%}
        {%- elif declared -%}
            {%- do problems.append(source_table ~ "." ~ name ~ " is a contract column, modelled already") -%}
        {%- elif not landed.landed or name not in landed.columns -%}
            {%- do problems.append(source_table ~ "." ~ name ~ " did not land (listed in var passthrough_columns)") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("Passthrough columns:\n  - " ~ problems | join("\n  - ")) }}
    {%- endif -%}
    {{ return(listed | map('lower') | list) }}
{% endmacro %}

{#- `<prefix>"col", ` for each passthrough column of `source_table` (nothing when none are listed): written just
    before a select's last column, so the rendered SQL keeps one column per line either way. -#}
{% macro passthrough_select(source_table, prefix='') %}
    {%- for column in passthrough_columns(source_table) -%}
        {{ prefix }}{{ adapter.quote(column) }},{{ ' ' }}
    {%- endfor -%}
{% endmacro %}
