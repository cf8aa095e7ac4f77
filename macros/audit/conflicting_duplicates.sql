{#- Records of raw table `<source>.<table>` whose latest load holds two or more rows that disagree (same key,
    same load time, a missing load time counting as one, different values): staging keeps one of them arbitrarily, so neither can be trusted.
    Identical copies are harmless re-deliveries and are not listed. Returns a select of
    (record_id, detected_at); nothing for a table without a load timestamp. -#}
{% macro conflicting_duplicates(source_table) %}
    {%- set source_name, table_name = source_table.split('.') -%}
    {%- set node = raw_source_node(source_table) -%}
    {%- set loaded_at = node.loaded_at_field -%}
    {%- set keys = raw_key_columns(source_table) -%}
    {%- set content = [] -%}
    {%- for column in node.columns -%}
        {%- if not loop.first -%}{%- do content.append("'|'") -%}{%- endif -%}
        {%- do content.append("coalesce(" ~ dbt.cast(adapter.quote(column), dbt.type_string()) ~ ", '<null>')") -%}
    {%- endfor -%}
    {%- if not loaded_at -%}
        select
            cast(null as {{ dbt.type_string() }}) as record_id,
            cast(null as {{ dbt.type_timestamp() }}) as detected_at
        from {{ source(source_name, table_name) }}
        where 1 = 0
    {%- else -%}
        select
            record_id,
            nullif(loaded_at, cast('0001-01-01' as {{ dbt.type_timestamp() }})) as detected_at
        from (
            select
                {{ audit_record_id(keys) }} as record_id,
                {{ raw_load_time(loaded_at) }} as loaded_at,
                max({{ raw_load_time(loaded_at) }}) over (
                    partition by {{ keys | join(', ') }}
                ) as latest_loaded_at,
                {{ dbt.hash(dbt.concat(content)) }} as content_hash
            from {{ source(source_name, table_name) }}
            where {{ raw_key_present(source_table) }}
        ) as loads
        where record_id is not null and loaded_at = latest_loaded_at
        group by record_id, loaded_at
        having count(distinct content_hash) > 1
    {%- endif -%}
{% endmacro %}
