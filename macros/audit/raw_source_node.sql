{#- The graph node of raw table `<source>.<table>` (columns with declared types, loaded_at_field), or an empty
    stand-in while dbt parses (the graph is only complete at execution). -#}
{% macro raw_source_node(source_table) %}
    {%- set source_name, table_name = source_table.split('.') -%}
    {%- set unique_id = 'source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name -%}
    {%- if execute and graph.sources is defined and unique_id in graph.sources -%}
        {{ return(graph.sources[unique_id]) }}
    {%- endif -%}
    {{ return({'columns': {}, 'loaded_at_field': none, 'meta': {}, 'config': {'meta': {}}}) }}
{% endmacro %}
