{#- Make every declared source readable as <schema>.<table>.
    On DuckDB the raw contract lands as files, RAW_DATA_DIR/<source>/<table>.parquet (or .csv):
    each becomes a view over its file. Other warehouses already hold the landed tables. -#}
{% macro register_raw_sources() %}
    {{ return(adapter.dispatch('register_raw_sources', 'revenue_engine')()) }}
{% endmacro %}

{% macro default__register_raw_sources() %}
    {{ return('') }}
{% endmacro %}

{#- Each landed file becomes a view <schema>.<table> holding every column of the file plus every contract column
    it lacks under its own name: read from its alias or var('raw_column_map'), filled from its when_absent var,
    or null (raw_landing()). A table that did not land becomes an empty view with the contract's columns when
    it is optional; a required table that did not land stops the run, naming it (a required column that did
    not land is left out, and assert_raw_contract() names it). Every file also becomes <table>__landed, all its
    rows with the reason the landing sets a row aside (landing_set_aside()); <table> is the rest. What did not
    land is logged once. -#}
{% macro duckdb__register_raw_sources() %}
    {{ return(register_raw_files()) }}
{% endmacro %}

{#- On Spark, the files of var('raw_files') (`revenue-engine run` lists RAW_DATA_DIR into it) become views, as on
    DuckDB; a source without a file there is left alone: on a cluster the landed tables are already there. -#}
{% macro spark__register_raw_sources() %}
    {{ return(register_raw_files()) }}
{% endmacro %}

{% macro register_raw_files() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = var('raw_data_dir') | string -%}
    {%- set tables = raw_landing() -%}
    {%- set problems = [] -%}
    {%- set statements = [] -%}
    {#- a landed table without a file is a warehouse table already (a cluster): left as it is -#}
    {%- for table in tables if not (table.landed and table.path is none) -%}
        {%- set node = table.node -%}
        {%- set relation = node.source_name ~ '.' ~ node.name -%}
        {%- set table_meta = node_meta(node) -%}
        {%- set selects = [] -%}
        {%- if not table.landed -%}
            {%- if table_meta.get('required') -%}
                {%- do problems.append(
                    "table " ~ relation ~ " has no file: expected " ~ raw_dir ~ "/" ~ node.source_name ~ "/"
                    ~ node.name ~ ".parquet or .csv (RAW_DATA_DIR=" ~ raw_dir ~ ")"
                ) -%}
            {%- endif -%}
            {%- for column in table.columns -%}
                {%- do selects.append("cast(null as " ~ engine_data_type(column.data_type) ~ ") as " ~ adapter.quote(column.name)) -%}
            {%- endfor -%}
            {%- set body = "select " ~ (selects | join(", ")) ~ " where false" -%}
        {%- else -%}
            {%- for column in table.columns if column.status != 'landed' -%}
                {%- if column.status == 'absent' and column.required -%}
                    {#- left out: assert_raw_contract() names it, with every other contract problem -#}
                {%- elif column.status == 'absent' -%}
                    {%- do selects.append("cast(null as " ~ engine_data_type(column.data_type) ~ ") as " ~ adapter.quote(column.name)) -%}
                {%- else -%}
                    {%- do selects.append(column.landed_as ~ " as " ~ adapter.quote(column.name)) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set replaced = [] -%}
            {%- for column in table.columns if column.status in ('mapped', 'default') and column.name in table.landed_columns -%}
                {%- do replaced.append(adapter.quote(column.name)) -%}
            {%- endfor -%}
            {%- set body = "select " ~ star_except(replaced)
                ~ (", " ~ selects | join(", ") if selects else "") ~ " from " ~ raw_reader(table.path) -%}
        {%- endif -%}
        {%- do statements.append("create schema if not exists " ~ node.schema) -%}
        {#- <table>__landed: every row of the file, as landed, with the landing filter's reason for the rows it sets
            aside (audit_raw_row_reconciliation counts raw rows here); <table>: the rows the project reads -#}
        {%- do statements.append(
            "create or replace view " ~ node.schema ~ "." ~ node.identifier ~ "__landed as select *, "
            ~ landing_set_aside(table) ~ " as _landing_set_aside from (" ~ body ~ ") as landed"
        ) -%}
        {%- do statements.append(
            "create or replace view " ~ node.schema ~ "." ~ node.identifier ~ " as select "
            ~ star_except(['_landing_set_aside']) ~ " from " ~ node.schema ~ "." ~ node.identifier
            ~ "__landed where _landing_set_aside is null"
        ) -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("Raw contract violated:\n  - " ~ problems | join("\n  - ")) }}
    {%- endif -%}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ log("Registered " ~ (statements | length // 3) ~ " raw tables from " ~ raw_dir, info=true) }}
    {%- set report = raw_landing_report(tables) -%}
    {%- if report -%}
        {{ log("Not landed (null or empty, not an error): " ~ (report | join("; ")), info=true) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#- The reason a landed row is set aside before anything reads it, or null: in a history-mode table (the connector's
    _fivetran_active) the versions that are no longer active. Null _fivetran_active is active, as the connector's
    own packages read it: a table not in history mode carries the column empty. -#}
{% macro landing_set_aside(table) %}
    {%- if table.history_mode -%}
        {{ return("case when not coalesce(cast(_fivetran_active as " ~ dbt.type_boolean() ~ "), true) "
            ~ "then 'inactive_history_version' end") }}
    {%- endif -%}
    {{ return("cast(null as " ~ dbt.type_string() ~ ")") }}
{% endmacro %}

{#- The relation holding every landed row of `<source>.<table>`: the <table>__landed view register_raw_sources() makes
    for every contract table where the raw tables are files (DuckDB; Spark given var raw_files), else the source
    itself (a cluster's own tables). Decided from the target, not the relation cache, which may predate the view. -#}
{% macro landed_relation(source_table) %}
    {%- set source_name, table_name = source_table.split('.') -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if target.type == 'duckdb' or (target.type == 'spark' and var('raw_files', none) is not none) -%}
        {{ return(relation.incorporate(path={'identifier': relation.identifier ~ '__landed'})) }}
    {%- endif -%}
    {{ return(relation) }}
{% endmacro %}
