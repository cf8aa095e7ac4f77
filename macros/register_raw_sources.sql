{#- Make every declared source readable as <schema>.<table>.
    On DuckDB the raw contract lands as files, RAW_DATA_DIR/<source>/<table>.parquet (or .csv):
    each becomes a view over its file. Other warehouses already hold the landed tables. -#}
{% macro register_raw_sources() %}
    {{ return(adapter.dispatch('register_raw_sources', 'revenue_engine')()) }}
{% endmacro %}

{% macro default__register_raw_sources() %}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__register_raw_sources() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = var('raw_data_dir') | string -%}
    {%- set statements = [] -%}
    {%- for node in graph.sources.values() if node.package_name == project_name -%}
        {%- set stem = raw_dir ~ '/' ~ node.source_name ~ '/' ~ node.name -%}
        {%- set found = run_query(
            "select file from glob('" ~ stem ~ ".parquet') union all "
            ~ "select file from glob('" ~ stem ~ ".csv') order by file desc"
        ) -%}
        {%- if found.rows | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "Raw contract: table " ~ node.source_name ~ "." ~ node.name
                ~ " has no file: expected " ~ stem ~ ".parquet or " ~ stem ~ ".csv (RAW_DATA_DIR=" ~ raw_dir ~ ")"
            ) }}
        {%- endif -%}
        {%- set path = found.rows[0][0] -%}
        {%- if path.endswith('.parquet') -%}
            {%- set reader = "read_parquet('" ~ path ~ "')" -%}
        {%- else -%}
            {#- All columns as text: staging casts them, and a bad value is reported by name. The dialect is
                fixed (RFC 4180), not sniffed: a broken row (unterminated quote, too many or too few fields)
                fails the run naming the file and line instead of being read as one wide column. -#}
            {%- set reader = "read_csv('" ~ path ~ "', header = true, all_varchar = true, strict_mode = true, "
                ~ "delim = ',', quote = '\"', escape = '\"')" -%}
        {%- endif -%}
        {%- do statements.append("create schema if not exists " ~ node.schema) -%}
        {%- do statements.append(
            "create or replace view " ~ node.schema ~ "." ~ node.identifier ~ " as select * from " ~ reader
        ) -%}
    {%- endfor -%}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ log("Registered " ~ (statements | length // 2) ~ " raw tables from " ~ raw_dir, info=true) }}
    {{ return('') }}
{% endmacro %}
