{#- The columns that identify a record of raw table `<source>.<table>`, as staging deduplicates it ("latest
    load wins" per key): the table's config.meta.keys in the source YAML, the contract's one definition. The audit
    models use it to count superseded rows and to name a record (record_id: the key as text, parts joined by
    '|'). Empty while dbt parses (the graph is only complete at execution). -#}
{% macro raw_table_keys(source_table) %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set node = raw_source_node(source_table) -%}
    {%- set keys = node.config.meta.get('keys') or node.meta.get('keys') -%}
    {%- if not keys -%}
        {{ exceptions.raise_compiler_error("raw table " ~ source_table ~ " declares no config.meta.keys in its source YAML") }}
    {%- endif -%}
    {{ return(keys) }}
{% endmacro %}

{#- Every raw table of the contract, `<source>.<table>`, in the order dbt lists the sources; empty while dbt
    parses. -#}
{% macro raw_tables() %}
    {%- set tables = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() if node.package_name == project_name -%}
            {%- do tables.append(node.source_name ~ '.' ~ node.name) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(tables) }}
{% endmacro %}

{#- SQL for money column `column` of raw table `<source>.<table>` in currency units, as a double: divided by
    the column's config.meta.divide_by where the contract declares one (Google's cost_micros). -#}
{% macro raw_amount(source_table, column) %}
    {%- set node = raw_source_node(source_table) -%}
    {%- set declared = node.columns[column] if column in node.columns else {} -%}
    {%- set meta = node_meta(declared) -%}
    {%- set amount = "cast(" ~ adapter.quote(column) ~ " as " ~ type_double() ~ ")" -%}
    {%- if meta.get('divide_by') -%}
        {%- set amount = amount ~ " / " ~ meta['divide_by'] ~ ".0" -%}
    {%- endif -%}
    {{ return(amount) }}
{% endmacro %}
