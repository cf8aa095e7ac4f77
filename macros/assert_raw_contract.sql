{#- Fail the run, naming the table and the column, when a raw table breaks the contract:
    a declared column is missing, or a value does not cast to the column's declared type
    (the error names the value). Extra columns are allowed and ignored. -#}
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
            {%- if name not in present -%}
                {%- do problems.append(node.source_name ~ "." ~ node.name ~ " is missing column " ~ name) -%}
            {%- elif column.data_type and present[name] not in (column.data_type | lower, 'null')
                and not (present[name].startswith('timestamp') and column.data_type in ('timestamp', 'date')) -%}
                {%- set bad = run_query(
                    "select cast(" ~ adapter.quote(name) ~ " as varchar) from " ~ relation
                    ~ " where " ~ adapter.quote(name) ~ " is not null and "
                    ~ try_cast(adapter.quote(name), column.data_type) ~ " is null limit 1"
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
