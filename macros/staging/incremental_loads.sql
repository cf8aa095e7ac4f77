{#- Incremental staging of the large raw tables: a nightly run reads only the loads since the last build.
    new_loads(): on an incremental run, the rows loaded at or after the latest load the model keeps, and every row
    without a load time (it loses to any copy with one, as in a full build). kept_versions(): the version the
    model keeps of every record those rows touch, so the latest load still wins exactly as in a full build. On a
    full build both are no-ops. The pipeline allows an incremental run only when every raw row the last build
    read is unchanged (revenue_engine/incremental.py), so a rewritten or late-landed old row forces a full
    refresh instead of being missed. -#}
{% macro new_loads(loaded_at='synced_at') %}
    {%- if is_incremental() %}
    where {{ loaded_at }} is null
        or {{ loaded_at }} >= coalesce((select max({{ loaded_at }}) from {{ this }}), {{ loaded_at }})
    {%- endif %}
{%- endmacro %}

{% macro kept_versions(new_loads, key_columns) %}
    {%- if is_incremental() %}
    union all
    select kept.*
    from {{ this }} as kept
    where exists (
        select 1
        from {{ new_loads }} as new_load
        where
        {%- for column in key_columns %}
            {% if not loop.first %}and {% endif %}new_load.{{ column }} = kept.{{ column }}
        {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}

{#- Post-hook of an incremental staging model: a record whose latest load is a soft delete leaves the table (the
    model keeps such rows only until this runs, so that a delete reaches a record kept by an earlier build). -#}
{% macro remove_soft_deleted() %}
    {{ return(adapter.dispatch('remove_soft_deleted', 'revenue_engine')()) }}
{%- endmacro %}

{% macro default__remove_soft_deleted() %}
    {{ return('delete from ' ~ this ~ ' where is_deleted') }}
{%- endmacro %}

{% macro spark__remove_soft_deleted() %}
    {{ return('') }}
{%- endmacro %}

{#- The materialization of an incremental staging model. Spark without Delta (Parquet tables here) has neither
    delete+insert nor merge: the model is rebuilt as a table each run, and soft deletes are filtered in SQL
    (soft_deleted_filter) instead of by the post-hook. -#}
{% macro incremental_staging() %}
    {{ return(adapter.dispatch('incremental_staging', 'revenue_engine')()) }}
{% endmacro %}

{% macro default__incremental_staging() %}
    {{ return('incremental') }}
{% endmacro %}

{% macro spark__incremental_staging() %}
    {{ return('table') }}
{% endmacro %}

{#- `not is_deleted` where the model is not incremental with the post-hook (Spark); `true` on DuckDB. -#}
{% macro soft_deleted_filter() %}
    {{ return(adapter.dispatch('soft_deleted_filter', 'revenue_engine')()) }}
{% endmacro %}

{% macro default__soft_deleted_filter() %}
    {{ return('true') }}
{% endmacro %}

{% macro spark__soft_deleted_filter() %}
    {{ return('not is_deleted') }}
{% endmacro %}
