{#- The config of a table that keeps what each run recorded (int_opportunity_snapshots_recorded,
    int_lead_statuses_recorded): each run writes its date and replaces only that date: insert_overwrite of
    the date partition on Spark (Parquet tables, no Delta or Iceberg here), delete+insert of the date on
    DuckDB. A full refresh of the project leaves it alone: the past cannot be rebuilt from today's records. -#}
{% macro recorded_history_config(date_column) %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite' if target.type == 'spark' else 'delete+insert',
        'unique_key': none if target.type == 'spark' else date_column,
        'partition_by': [date_column] if target.type == 'spark' else none,
        'full_refresh': false,
        'on_schema_change': 'append_new_columns',
    }) }}
{% endmacro %}
