{#- True when a floating point value is a real number (not NaN, not plus or minus infinity); null stays null. -#}
{% macro is_finite(column) %}
    {{ return(adapter.dispatch('is_finite', 'revenue_engine')(column)) }}
{% endmacro %}

{% macro default__is_finite(column) %}
    {{ return("(" ~ column ~ " = " ~ column ~ " and " ~ column ~ " - " ~ column ~ " = 0)") }}
{% endmacro %}

{% macro duckdb__is_finite(column) %}
    {{ return("isfinite(" ~ column ~ ")") }}
{% endmacro %}

{% macro spark__is_finite(column) %}
    {{ return("(not isnan(" ~ column ~ ") and abs(" ~ column ~ ") != double('infinity'))") }}
{% endmacro %}
