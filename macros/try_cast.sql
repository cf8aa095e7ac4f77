{#- Cast that yields null instead of failing. dbt.safe_cast falls back to a plain cast on adapters that
    do not implement it (dbt-duckdb among them), so DuckDB gets its native try_cast. -#}
{% macro try_cast(field, type) %}
    {{ return(adapter.dispatch('try_cast', 'revenue_engine')(field, type)) }}
{% endmacro %}

{% macro default__try_cast(field, type) %}
    {{ return(dbt.safe_cast(field, type)) }}
{% endmacro %}

{% macro duckdb__try_cast(field, type) %}
    {{ return("try_cast(" ~ field ~ " as " ~ type ~ ")") }}
{% endmacro %}
