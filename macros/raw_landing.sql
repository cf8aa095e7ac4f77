{#- What landed, and how each contract column is read from it. The source YAML says which tables and
    columns are required (config.meta.required), which names a column may land under (meta.aliases; any
    spelling equal without case or underscores: `x__c` as the connector's `x_c` or the API's `X__c`,
    `stage_name` as `StageName`) and what an absent column
    means (meta.when_absent: a var holding its value, else null). var('raw_column_map') maps a contract column
    to the org's own column or SQL expression: {'salesforce.lead.mql_date__c': 'mql_date_custom_c'}.

    raw_landing() returns one entry per contract table: {node, path (DuckDB: the file, or none), landed (whether
    the table landed), landed_columns (its column names, lower case), loader (raw_loader()), history_mode
    (the connector's _fivetran_active landed), columns: [{name, data_type, required, needed_for, status, landed_as}]} where status is
    'landed' (under its own name), 'mapped' (under an alias or var('raw_column_map')), 'default' (absent, filled
    from its when_absent var), 'absent' (null) or 'not_landed' (the table did not land), and landed_as is the
    SQL that reads it from the landed table. register_raw_sources() and audit_raw_landing read this one plan. -#}
{% macro raw_landing() %}
    {%- set tables = [] -%}
    {%- if not execute -%}{{ return(tables) }}{%- endif -%}
    {%- for node in graph.sources.values() if node.package_name == project_name -%}
        {%- set found = raw_landed_columns(node) -%}
        {%- set plan = raw_column_plan(node, found.columns if found.landed else none) -%}
        {%- do tables.append({
            'node': node,
            'path': found.path,
            'landed': found.landed,
            'landed_columns': found.columns,
            'columns': plan,
            'loader': raw_loader(node, plan) if found.landed else 'not landed',
            'history_mode': '_fivetran_active' in found.columns,
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
    {%- set folder = (var('raw_data_dir') | string) ~ '/' ~ node.source_name -%}
    {%- set found = run_query(
        "select file from glob('" ~ folder ~ "/*.parquet') union all "
        ~ "select file from glob('" ~ folder ~ "/*.csv') order by file"
    ) -%}
    {%- set files = [] -%}
    {%- for row in found.rows -%}
        {%- set stem = row[0].split('/')[-1].rsplit('.', 1)[0] -%}
        {%- if landing_key(stem) == landing_key(node.name) -%}
            {%- do files.append(row[0]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if files | length == 0 -%}
        {{ return({'landed': false, 'path': none, 'columns': []}) }}
    {%- endif -%}
    {%- if files | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Raw contract violated:\n  - table " ~ node.source_name ~ "." ~ node.name ~ " landed as more than one file ("
            ~ files | join(", ") ~ "): which one is current cannot be decided; keep one"
        ) }}
    {%- endif -%}
    {%- set path = files[0] -%}
    {%- set described = run_query("select column_name from (describe select * from " ~ raw_reader(path) ~ ")") -%}
    {%- set columns = [] -%}
    {%- for row in described.rows -%}
        {%- do columns.append(row[0] | lower) -%}
    {%- endfor -%}
    {{ return({'landed': true, 'path': path, 'columns': columns}) }}
{% endmacro %}

{#- A name as loaders spell it, compared without case or underscores: the contract's `stage_name` and
    `mql_date__c` are the Salesforce API's `StageName` and `MQL_Date__c`, a connector's `mql_date_c`; the
    table `opportunity_history` lands as `OpportunityHistory`. -#}
{% macro landing_key(name) %}
    {{ return(name | lower | replace('_', '')) }}
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

{#- How each contract column of `node` is read from the landed columns (none: the table did not land). A column
    is found under its own name, else one of its aliases (meta.aliases: the load-time column of Airbyte, Stitch
    or the Salesforce API's SystemModstamp; `_fivetran_deleted`), else its Salesforce API spelling (same name
    without case or underscores: landing_key()); var('raw_column_map') overrides all. `matched_by` says which. -#}
{% macro raw_column_plan(node, landed_columns) %}
    {%- set mapping = var('raw_column_map', {}) -%}
    {%- set plan = [] -%}
    {%- set by_key = {} -%}
    {%- for landed in (landed_columns or []) | reverse -%}
        {%- do by_key.update({landing_key(landed): landed}) -%}
    {%- endfor -%}
    {%- for column in node.columns.values() -%}
        {%- set meta = node_meta(column) -%}
        {%- set name = column.name | lower -%}
        {%- set key = node.source_name ~ '.' ~ node.name ~ '.' ~ name -%}
        {%- set aliases = (meta.get('aliases') or []) | list -%}
        {%- set entry = {
            'name': name,
            'data_type': column.data_type,
            'required': (meta.get('required') or false) or name in raw_table_keys(node.source_name ~ '.' ~ node.name),
            'needed_for': meta.get('needed_for'),
            'status': none,
            'landed_as': none,
            'matched_by': none,
        } -%}
        {%- if landed_columns is none -%}
            {%- do entry.update({'status': 'not_landed'}) -%}
        {%- elif key in mapping -%}
            {%- set target = mapping[key] | string -%}
            {%- do entry.update({
                'status': 'mapped',
                'landed_as': adapter.quote(target | lower) if target | lower in landed_columns else target,
                'matched_by': 'raw_column_map',
            }) -%}
        {%- elif name in landed_columns -%}
            {%- do entry.update({'status': 'landed', 'landed_as': adapter.quote(name), 'matched_by': 'name'}) -%}
        {%- else -%}
            {%- for alias in aliases if landing_key(alias) in by_key and entry.status is none -%}
                {%- do entry.update({
                    'status': 'mapped', 'landed_as': adapter.quote(by_key[landing_key(alias)]), 'matched_by': 'alias',
                }) -%}
            {%- endfor -%}
            {%- if entry.status is none and landing_key(name) in by_key -%}
                {%- set landed = by_key[landing_key(name)] -%}
                {%- do entry.update({
                    'status': 'mapped',
                    'landed_as': adapter.quote(landed),
                    'matched_by': 'connector_spelling' if name.endswith('__c') and landed == name[:-3] ~ '_c' else 'api_name',
                }) -%}
            {%- endif -%}
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

{#- Which loader's shape a landed table has, from the column its load time was read from and how its columns
    were named: 'fivetran', 'airbyte', 'stitch', 'salesforce api (SystemModstamp)', 'mapped' (raw_column_map) or
    'no load time'; ' + Salesforce API names' when columns were found under their API spelling. -#}
{% macro raw_loader(node, plan) %}
    {%- set loader = {'value': 'no load time'} -%}
    {%- for column in plan if column.name == node.loaded_at_field and column.landed_as -%}
        {%- set landed = column.landed_as | replace('"', '') | replace('`', '') -%}
        {%- if column.matched_by == 'raw_column_map' -%}
            {%- do loader.update({'value': 'mapped'}) -%}
        {%- elif landed.startswith('_airbyte') -%}
            {%- do loader.update({'value': 'airbyte'}) -%}
        {%- elif landed.startswith('_sdc') -%}
            {%- do loader.update({'value': 'stitch'}) -%}
        {%- elif landing_key(landed) == 'systemmodstamp' -%}
            {%- do loader.update({'value': 'salesforce api (SystemModstamp)'}) -%}
        {%- else -%}
            {%- do loader.update({'value': 'fivetran' if landed.startswith('_fivetran') else 'contract'}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set api_named = [] -%}
    {%- for column in plan if column.matched_by == 'api_name' -%}
        {%- do api_named.append(column.name) -%}
    {%- endfor -%}
    {{ return(loader.value ~ (' + Salesforce API names' if api_named else '')) }}
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
