{#- The meta of a source table or column as the graph holds it: under config.meta (dbt 1.10+), else the
    older top-level meta; {} when it has none. -#}
{% macro node_meta(node) %}
    {%- if not node -%}{{ return({}) }}{%- endif -%}
    {{ return((node.get('config') or {}).get('meta') or node.get('meta') or {}) }}
{% endmacro %}
