{#- Fail the run, naming the table and the time, when a raw table holds a load later than the moment the run
    started: a load cannot come from the future, so the connector's clock (or a test load) is wrong, and that load
    would otherwise become "today" (as_of_date) for every model and age every deal. The runner may compare load
    times with its start (models never read the clock); tables synced days or weeks apart are normal, and how
    stale a table may be is the freshness of the contract (the raw quality suites), not this check. -#}
{% macro assert_load_times_plausible() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set started = run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
    {%- set loads = [] -%}
    {%- for node in graph.sources.values()
        if node.package_name == project_name and node.loaded_at_field and node.loaded_at_field in node.columns -%}
        {%- do loads.append(
            "select '" ~ node.source_name ~ "." ~ node.name ~ "' as source_table, max("
            ~ utc_timestamp(node.loaded_at_field) ~ ") as latest_load from " ~ source(node.source_name, node.name)
        ) -%}
    {%- endfor -%}
    {%- if not loads -%}{{ return('') }}{%- endif -%}
    {%- set result = run_query(
        "select source_table, cast(latest_load as " ~ dbt.type_string() ~ ") from (" ~ loads | join(" union all ")
        ~ ") as loads where latest_load > cast('" ~ started ~ "' as " ~ dbt.type_timestamp() ~ ") order by source_table"
    ) -%}
    {%- if result.rows | length > 0 -%}
        {%- set problems = [] -%}
        {%- for row in result.rows -%}
            {%- do problems.append(
                row[0] ~ ": latest load " ~ row[1] ~ " is later than the moment this run started (" ~ started
                ~ " UTC); a load cannot come from the future: fix the connector's clock or the load times"
            ) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error("Raw load times implausible:\n  - " ~ problems | join("\n  - ")) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
