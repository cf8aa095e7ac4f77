{#- The last non-null value of `expression` in the window that follows: DuckDB writes `ignore nulls` inside the
    call, Spark passes it as the second argument. -#}
{% macro last_value_ignore_nulls(expression) %}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'revenue_engine')(expression)) }}
{% endmacro %}

{% macro default__last_value_ignore_nulls(expression) %}
    {{ return("last_value(" ~ expression ~ " ignore nulls)") }}
{% endmacro %}

{% macro spark__last_value_ignore_nulls(expression) %}
    {{ return("last_value(" ~ expression ~ ", true)") }}
{% endmacro %}
