{#- Fail the run, naming the table and the column, when a raw table breaks the contract:
    a required column is missing (keys and config.meta.required; on DuckDB register_raw_sources() has already
    read optional ones as null), or a value the column's declared type cannot hold exactly (holds_exactly():
    the error names the value). Extra columns are allowed and ignored. -#}
{% macro assert_raw_contract() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set problems = [] -%}
    {%- for node in graph.sources.values() if node.package_name == project_name -%}
        {%- set relation = source(node.source_name, node.name) -%}
        {%- set present = {} -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do present.update({column.name | lower: column.data_type | lower}) -%}
        {%- endfor -%}
        {%- for column in node.columns.values() -%}
            {%- set name = column.name | lower -%}
            {%- set meta = node_meta(column) -%}
            {%- set required = meta.get('required') or name in raw_table_keys(node.source_name ~ '.' ~ node.name) -%}
            {%- if name not in present and required -%}
                {%- do problems.append(node.source_name ~ "." ~ node.name ~ " is missing required column " ~ name
                    ~ " (if the org names it otherwise, map it: var raw_column_map {'" ~ node.source_name ~ "."
                    ~ node.name ~ "." ~ name ~ "': '<its column>'})") -%}
            {%- elif name not in present -%}
            {%- elif column.data_type
                and present[name] not in (column.data_type | lower, engine_data_type(column.data_type) | lower, 'null')
                and not (present[name].startswith('timestamp') and column.data_type in ('timestamp', 'date')) -%}
                {%- set bad = run_query(
                    "select cast(" ~ adapter.quote(name) ~ " as " ~ dbt.type_string() ~ ") from " ~ relation
                    ~ " where " ~ adapter.quote(name) ~ " is not null and not ("
                    ~ holds_exactly(adapter.quote(name), column.data_type, present[name]) ~ ") limit 1"
                ) -%}
                {%- if bad.rows | length > 0 -%}
                    {%- do problems.append(
                        node.source_name ~ "." ~ node.name ~ " column " ~ name ~ " has value '"
                        ~ bad.rows[0][0] ~ "' that is not a " ~ column.data_type
                    ) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("Raw contract violated:\n  - " ~ problems | join("\n  - ")) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
