{#- Fail the run, naming the table, when a raw table's latest load is implausibly far ahead of every other
    table's (more than var max_load_time_lead_days): a clock error or a test load in the connector would
    otherwise become "today" (as_of_date) for every model and age every deal by years. -#}
{% macro assert_load_times_plausible() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set loads = [] -%}
    {%- for node in graph.sources.values()
        if node.package_name == project_name and node.loaded_at_field and node.loaded_at_field in node.columns -%}
        {%- do loads.append(
            "select '" ~ node.source_name ~ "." ~ node.name ~ "' as source_table, cast(max("
            ~ utc_timestamp(node.loaded_at_field) ~ ") as date) as latest_load from " ~ source(node.source_name, node.name)
        ) -%}
    {%- endfor -%}
    {%- if loads | length < 2 -%}{{ return('') }}{%- endif -%}
    {%- set result = run_query(
        "with loads as (" ~ loads | join(" union all ") ~ ") "
        ~ ", compared as (select loads.source_table, loads.latest_load, max(other.latest_load) as others "
        ~ "from loads inner join loads as other on other.source_table != loads.source_table "
        ~ "group by loads.source_table, loads.latest_load) "
        ~ "select source_table, cast(latest_load as " ~ dbt.type_string() ~ "), cast(others as "
        ~ dbt.type_string() ~ ") from compared "
        ~ "where " ~ dbt.datediff('others', 'latest_load', 'day') ~ " > " ~ var('max_load_time_lead_days')
        ~ " order by source_table"
    ) -%}
    {%- if result.rows | length > 0 -%}
        {%- set problems = [] -%}
        {%- for row in result.rows -%}
            {%- do problems.append(
                row[0] ~ ": latest load " ~ row[1] ~ " is more than " ~ var('max_load_time_lead_days')
                ~ " days after every other table's (latest " ~ row[2] ~ "); fix the load times or the "
                ~ "connector's clock (var max_load_time_lead_days)"
            ) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error("Raw load times implausible:\n  - " ~ problems | join("\n  - ")) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
