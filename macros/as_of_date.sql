{#- "Today" for every model, as a SQL date expression. Models never read the clock.
    Set with --vars '{as_of_date: 2026-06-30}'; by default it is the latest load in the raw data
    (the newest _fivetran_synced / _loaded_at over every source table). -#}
{% macro as_of_date() %}
    {%- set configured = var('as_of_date') -%}
    {%- if configured is not none and configured | string | length > 0 -%}
        {{ return("cast('" ~ configured ~ "' as date)") }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return("cast('1970-01-01' as date)") }}
    {%- endif -%}
    {%- if graph.sources is not defined -%}
        {#- dbt unit tests run without the graph: they must say which day is "today" -#}
        {{ exceptions.raise_compiler_error(
            "as_of_date: no as_of_date var and no source graph here; unit tests set it with "
            ~ "overrides: {vars: {as_of_date: 'YYYY-MM-DD'}}"
        ) }}
    {%- endif -%}
    {%- set latest = [] -%}
    {%- for node in graph.sources.values()
        if node.package_name == project_name and node.loaded_at_field and node.loaded_at_field in node.columns -%}
        {%- do latest.append(
            "select max(cast(" ~ node.loaded_at_field ~ " as " ~ dbt.type_timestamp() ~ ")) as loaded_at from "
            ~ source(node.source_name, node.name)
        ) -%}
    {%- endfor -%}
    {%- set result = run_query("select cast(max(loaded_at) as date) from (" ~ latest | join(" union all ") ~ ") as loads") -%}
    {%- set value = result.rows[0][0] -%}
    {%- if value is none -%}
        {{ exceptions.raise_compiler_error("as_of_date: the raw data has no loads; set --vars '{as_of_date: YYYY-MM-DD}'") }}
    {%- endif -%}
    {{ return("cast('" ~ value ~ "' as date)") }}
{% endmacro %}
