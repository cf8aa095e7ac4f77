{#- `*` without the given (quoted) columns: DuckDB's `exclude`, Spark's `except`. -#}
{% macro star_except(columns) %}
    {{ return(adapter.dispatch('star_except', 'revenue_engine')(columns)) }}
{% endmacro %}

{% macro default__star_except(columns) %}
    {{ return("*" ~ (" exclude (" ~ columns | join(", ") ~ ")" if columns else "")) }}
{% endmacro %}

{% macro spark__star_except(columns) %}
    {{ return("*" ~ (" except (" ~ columns | join(", ") ~ ")" if columns else "")) }}
{% endmacro %}
