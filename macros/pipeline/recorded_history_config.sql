{#- The config of a table that keeps what each run recorded (int_opportunity_snapshots_recorded,
    int_lead_statuses_recorded): each run writes its date and replaces only that date: insert_overwrite of
    the date partition on Spark (Parquet tables, no Delta or Iceberg here), delete+insert of the date on
    DuckDB. A full refresh of the project leaves it alone: the past cannot be rebuilt from today's records. -#}
{% macro recorded_history_config(date_column) %}
    {{ return(adapter.dispatch('recorded_history_config', 'revenue_engine')(date_column)) }}
{% endmacro %}

{% macro default__recorded_history_config(date_column) %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': date_column,
        'full_refresh': false,
        'on_schema_change': 'append_new_columns',
    }) }}
{% endmacro %}

{% macro spark__recorded_history_config(date_column) %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite',
        'partition_by': [date_column],
        'full_refresh': false,
        'on_schema_change': 'append_new_columns',
    }) }}
{% endmacro %}


{#- In a recorded-history model: each key's latest row recorded before this run's as_of_date, as a select of
    `columns`; on the first run (nothing recorded yet) the same columns of `empty_like`, with no rows. -#}
{% macro previously_recorded(key, date_column, columns, empty_like) %}
    {%- if is_incremental() -%}
        select {{ columns | join(', ') }}
        from (
            select
                *,
                row_number() over (partition by {{ key }} order by {{ date_column }} desc) as recency
            from {{ this }}
            where {{ date_column }} < {{ as_of_date() }}
        ) as ranked
        where recency = 1
    {%- else -%}
        select {{ columns | join(', ') }} from {{ empty_like }} where false
    {%- endif -%}
{% endmacro %}
