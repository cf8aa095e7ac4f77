{#- A 64-bit floating point type. dbt.type_float() is 32-bit on DuckDB and Spark (FLOAT/REAL), which
    loses cents and digits in rates; Snowflake's and BigQuery's FLOAT already are 64-bit. -#}
{% macro type_double() %}
    {{ return(adapter.dispatch('type_double', 'revenue_engine')()) }}
{% endmacro %}

{% macro default__type_double() %}
    {{ return(dbt.type_float()) }}
{% endmacro %}

{% macro duckdb__type_double() %}
    {{ return('double') }}
{% endmacro %}

{% macro spark__type_double() %}
    {{ return('double') }}
{% endmacro %}
