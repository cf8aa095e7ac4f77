{#- One row per raw table of `staged` (<source>.<table> -> [relation the marts read, filter or none]):
    raw rows, superseded rows (every keyed row of a key but the one staging keeps), soft-deleted records (keys
    whose latest load is a delete; a conflicting tie at the latest load is quarantined or flagged instead)
    and staged rows, each counted from its own place. -#}
{% macro raw_row_accounting(staged) %}
    {%- for source_table, relation_and_filter in staged.items() %}
        {%- set relation, condition = relation_and_filter %}
        {%- set source_name, table_name = source_table.split('.') %}
        {%- set raw = source(source_name, table_name) %}
        {%- set node = raw_source_node(source_table) %}
        {%- set loaded_at = node.loaded_at_field %}
        {%- set key_columns = raw_key_columns(source_table) %}
    select
        '{{ source_table }}' as source_table,
        (select count(*) from {{ raw }}) as raw_rows,
        {%- if loaded_at %}
        (
            select count(*) - count(distinct {{ audit_record_id(key_columns) }})
            from {{ raw }}
            where {{ raw_key_present(source_table) }}
        ) as superseded_rows,
        {%- else %}
        0 as superseded_rows,
        {%- endif %}
        {%- if loaded_at and 'is_deleted' in node.columns %}
        (
            select count(distinct latest.record_id)
            from (
                select
                    {{ audit_record_id(key_columns) }} as record_id,
                    coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
                    {{ raw_load_time(loaded_at) }} as loaded_at,
                    max({{ raw_load_time(loaded_at) }}) over (
                        partition by {{ key_columns | join(', ') }}
                    ) as latest_loaded_at
                from {{ raw }}
                where {{ raw_key_present(source_table) }}
            ) as latest
            left join ({{ conflicting_duplicates(source_table) }}) as ties
                on latest.record_id = ties.record_id
            where latest.loaded_at = latest.latest_loaded_at and latest.is_deleted and ties.record_id is null
        ) as soft_deleted_rows,
        {%- else %}
        0 as soft_deleted_rows,
        {%- endif %}
        (select count(*) from {{ relation }}{% if condition %} where {{ condition }}{% endif %}) as staged_rows
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}
