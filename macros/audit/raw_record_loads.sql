{#- One row per record of each raw table `<source>.<table>` of `source_tables` (tables with a load time; rows whose key is present), unioned:
    every copy of the record counted, and its latest load described: when, how many different versions it
    holds (two or more: conflicting copies, of which staging would keep one arbitrarily), and whether it is a
    delete. One grouped pass over the raw rows answers what the row accounting and the conflicting-copy checks
    ask (int_raw_records_counted). A missing load time counts as one load time ('0001-01-01'). -#}
{% macro raw_record_loads(source_tables) %}
    {%- for source_table in source_tables %}
    {%- set source_name, table_name = source_table.split('.') -%}
    {%- set node = raw_source_node(source_table) -%}
    {#- a table whose load time column is not in the contract (finance.fx_rates) has one load: every copy is at it -#}
    {%- set loaded_at = node.loaded_at_field if node.loaded_at_field in node.columns else none -%}
    {%- set keys = raw_key_columns(source_table) -%}
    {%- set columns = [] -%}
    {%- for column in node.columns -%}
        {%- do columns.append(adapter.quote(column)) -%}
    {%- endfor -%}
    {%- set is_deleted = "coalesce(cast(is_deleted as " ~ dbt.type_boolean() ~ "), false)" if 'is_deleted' in node.columns else "false" %}
    select
        '{{ source_table }}' as source_table,
        record_id,
        raw_rows,
        nullif(loaded_at, cast('0001-01-01' as {{ dbt.type_timestamp() }})) as latest_loaded_at,
        versions as latest_versions,
        is_deleted as is_deleted_at_latest
    from (
        select
            record_id,
            loaded_at,
            versions,
            is_deleted,
            sum(copies) over (partition by record_id) as raw_rows,
            max(loaded_at) over (partition by record_id) as latest_loaded_at
        from (
            select
                {{ audit_record_id(keys) }} as record_id,
                {{ raw_load_time(loaded_at or "cast(null as " ~ dbt.type_timestamp() ~ ")") }} as loaded_at,
                count(*) as copies,
                count(distinct {{ row_fingerprint(columns) }}) as versions,
                max(case when {{ is_deleted }} then 1 else 0 end) = 1 as is_deleted
            from {{ source(source_name, table_name) }}
            where {{ raw_key_present(source_table) }}
            group by 1, 2
        ) as loads
    ) as records
    where loaded_at = latest_loaded_at
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}
