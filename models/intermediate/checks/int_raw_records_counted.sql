-- Grain: one row per raw record (source_table, record_id) of every raw table with a load time, rows without a
-- key left out (int_records_quarantined lists those). One grouped pass per raw table: the copies of each
-- record, and its latest load (how many different versions it holds, whether it is a delete). The raw row
-- accounting (superseded and soft-deleted rows) and the conflicting-copy checks of the quarantine and the flags
-- read it, rather than each scanning and hashing the raw tables again. Protected: the audit models read it.
{{ config(access='protected') }}
{%- set tables = [] %}
{%- for source_table in raw_tables() if raw_source_node(source_table).loaded_at_field %}
    {%- do tables.append(source_table) %}
{%- endfor %}

with

records as (

    {{ raw_record_loads(tables) }}

),

final as (

    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(record_id as {{ dbt.type_string() }}) as record_id,
        cast(raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(latest_loaded_at as {{ dbt.type_timestamp() }}) as latest_loaded_at,
        cast(latest_versions as {{ dbt.type_bigint() }}) as latest_versions,
        cast(is_deleted_at_latest as {{ dbt.type_boolean() }}) as is_deleted_at_latest
    from records

)

select * from final
