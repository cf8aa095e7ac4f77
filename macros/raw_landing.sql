{#- What landed, and how each contract column is read from it. The source YAML says which tables and
    columns are required (config.meta.required), which names a column may land under (meta.aliases; a
    Salesforce custom field `x__c` may also land as `x_c`, the connector's spelling) and what an absent column
    means (meta.when_absent: a var holding its value, else null). var('raw_column_map') maps a contract column
    to the org's own column or SQL expression: {'salesforce.lead.mql_date__c': 'mql_date_custom_c'}.

    raw_landing() returns one entry per contract table: {node, path (DuckDB: the file, or none), landed (whether
    the table landed), landed_columns (its column names, lower case), columns: [{name, data_type, required, needed_for, status, landed_as}]} where status is
    'landed' (under its own name), 'mapped' (under an alias or var('raw_column_map')), 'default' (absent, filled
    from its when_absent var), 'absent' (null) or 'not_landed' (the table did not land), and landed_as is the
    SQL that reads it from the landed table. register_raw_sources() and audit_raw_landing read this one plan. -#}
{% macro raw_landing() %}
    {%- set tables = [] -%}
    {%- if not execute -%}{{ return(tables) }}{%- endif -%}
    {%- for node in graph.sources.values() if node.package_name == project_name -%}
        {%- set found = raw_landed_columns(node) -%}
        {%- do tables.append({
            'node': node,
            'path': found.path,
            'landed': found.landed,
            'landed_columns': found.columns,
            'columns': raw_column_plan(node, found.columns if found.landed else none),
        }) -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}

{#- {landed, path, columns (lower case)} of a raw table as it landed. -#}
{% macro raw_landed_columns(node) %}
    {{ return(adapter.dispatch('raw_landed_columns', 'revenue_engine')(node)) }}
{% endmacro %}

{% macro default__raw_landed_columns(node) %}
    {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.identifier) -%}
    {%- if relation is none -%}
        {{ return({'landed': false, 'path': none, 'columns': []}) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do columns.append(column.name | lower) -%}
    {%- endfor -%}
    {{ return({'landed': true, 'path': none, 'columns': columns}) }}
{% endmacro %}

{% macro duckdb__raw_landed_columns(node) %}
    {%- set stem = (var('raw_data_dir') | string) ~ '/' ~ node.source_name ~ '/' ~ node.name -%}
    {%- set found = run_query(
        "select file from glob('" ~ stem ~ ".parquet') union all "
        ~ "select file from glob('" ~ stem ~ ".csv') order by file desc"
    ) -%}
    {%- if found.rows | length == 0 -%}
        {{ return({'landed': false, 'path': none, 'columns': []}) }}
    {%- endif -%}
    {%- set path = found.rows[0][0] -%}
    {%- set described = run_query("select column_name from (describe select * from " ~ raw_reader(path) ~ ")") -%}
    {%- set columns = [] -%}
    {%- for row in described.rows -%}
        {%- do columns.append(row[0] | lower) -%}
    {%- endfor -%}
    {{ return({'landed': true, 'path': path, 'columns': columns}) }}
{% endmacro %}

{#- On Spark, the landed files are var('raw_files'), {"<source>/<table>": path}, which `revenue-engine run` fills
    from RAW_DATA_DIR (Spark SQL cannot list a folder). Without that var (a cluster: the connector's tables are in
    the metastore) the tables are read where they are. -#}
{% macro spark__raw_landed_columns(node) %}
    {%- set files = var('raw_files', none) -%}
    {%- if files is none -%}
        {{ return(default__raw_landed_columns(node)) }}
    {%- endif -%}
    {%- set path = files.get(node.source_name ~ '/' ~ node.name) -%}
    {%- if not path -%}
        {{ return({'landed': false, 'path': none, 'columns': []}) }}
    {%- endif -%}
    {%- if path.endswith('.csv') -%}
        {#- Spark reads a CSV file through a table over it: every column text, RFC 4180, a broken row an error -#}
        {%- do run_query("create schema if not exists raw_csv") -%}
        {%- do run_query("drop table if exists " ~ spark_csv_table(path)) -%}
        {%- do run_query(
            "create table " ~ spark_csv_table(path) ~ " using csv options (path '" ~ path ~ "', header 'true', "
            ~ "quote '\"', escape '\"', multiLine 'true', mode 'FAILFAST')"
        ) -%}
    {%- endif -%}
    {%- set described = run_query("describe query select * from " ~ raw_reader(path)) -%}
    {%- set columns = [] -%}
    {%- for row in described.rows if row[0] and not row[0].startswith('#') -%}
        {%- do columns.append(row[0] | lower) -%}
    {%- endfor -%}
    {{ return({'landed': true, 'path': path, 'columns': columns}) }}
{% endmacro %}

{% macro spark_csv_table(path) %}
    {%- set parts = path.split('/') -%}
    {{ return("raw_csv." ~ parts[-2] ~ "__" ~ parts[-1][:-4]) }}
{% endmacro %}

{#- The reader of a landed file. DuckDB CSV: all columns as text (staging casts them, and a bad value is
    reported by name), the dialect fixed (RFC 4180), not sniffed: a broken row fails the run naming the file and
    line instead of being read as one wide column. -#}
{% macro raw_reader(path) %}
    {{ return(adapter.dispatch('raw_reader', 'revenue_engine')(path)) }}
{% endmacro %}

{% macro spark__raw_reader(path) %}
    {%- if path.endswith('.parquet') -%}
        {{ return("parquet.`" ~ path ~ "`") }}
    {%- endif -%}
    {{ return(spark_csv_table(path)) }}
{% endmacro %}

{% macro default__raw_reader(path) %}
    {%- if path.endswith('.parquet') -%}
        {{ return("read_parquet('" ~ path ~ "')") }}
    {%- endif -%}
    {{ return("read_csv('" ~ path ~ "', header = true, all_varchar = true, strict_mode = true, "
        ~ "delim = ',', quote = '\"', escape = '\"')") }}
{% endmacro %}

{#- How each contract column of `node` is read from the landed columns (none: the table did not land). -#}
{% macro raw_column_plan(node, landed_columns) %}
    {%- set mapping = var('raw_column_map', {}) -%}
    {%- set plan = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set meta = node_meta(column) -%}
        {%- set name = column.name | lower -%}
        {%- set key = node.source_name ~ '.' ~ node.name ~ '.' ~ name -%}
        {%- set aliases = (meta.get('aliases') or []) | list -%}
        {%- if name.endswith('__c') -%}
            {%- do aliases.append(name[:-3] ~ '_c') -%}
        {%- endif -%}
        {%- set entry = {
            'name': name,
            'data_type': column.data_type,
            'required': (meta.get('required') or false) or name in raw_table_keys(node.source_name ~ '.' ~ node.name),
            'needed_for': meta.get('needed_for'),
            'status': none,
            'landed_as': none,
        } -%}
        {%- if landed_columns is none -%}
            {%- do entry.update({'status': 'not_landed'}) -%}
        {%- elif key in mapping -%}
            {%- set target = mapping[key] | string -%}
            {%- do entry.update({
                'status': 'mapped',
                'landed_as': adapter.quote(target | lower) if target | lower in landed_columns else target,
            }) -%}
        {%- elif name in landed_columns -%}
            {%- do entry.update({'status': 'landed', 'landed_as': adapter.quote(name)}) -%}
        {%- else -%}
            {%- for alias in aliases if alias in landed_columns and entry.status is none -%}
                {%- do entry.update({'status': 'mapped', 'landed_as': adapter.quote(alias)}) -%}
            {%- endfor -%}
            {%- if entry.status is none and meta.get('when_absent') -%}
                {%- do entry.update({'status': 'default', 'landed_as': "'" ~ var(meta.when_absent) ~ "'"}) -%}
            {%- elif entry.status is none -%}
                {%- do entry.update({'status': 'absent'}) -%}
            {%- endif -%}
        {%- endif -%}
        {%- do plan.append(entry) -%}
    {%- endfor -%}
    {{ return(plan) }}
{% endmacro %}

{#- One line for the run log: what did not land and which figures that makes unavailable. -#}
{% macro raw_landing_report(tables) %}
    {%- set missing = [] -%}
    {%- for table in tables -%}
        {%- set relation = table.node.source_name ~ '.' ~ table.node.name -%}
        {%- set table_meta = node_meta(table.node) -%}
        {%- if not table.landed -%}
            {%- do missing.append(relation ~ ' -> ' ~ (table_meta.get('needed_for') or 'nothing') ~ ' not available') -%}
        {%- else -%}
            {%- set by_need = {} -%}
            {%- for column in table.columns if column.status in ('absent', 'default') -%}
                {%- set need = column.needed_for or ('filled with ' ~ column.landed_as if column.status == 'default' else 'no mart') -%}
                {%- do by_need.update({need: by_need.get(need, []) + [column.name]}) -%}
            {%- endfor -%}
            {%- for need, names in by_need.items() -%}
                {%- do missing.append(relation ~ '.' ~ (names | join(', ')) ~ ' -> ' ~ need) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(missing) }}
{% endmacro %}
