{#- A landed timestamp as the UTC instant, without time zone. Text with an offset
    ('2024-06-30T21:32:44-08:00') and TIMESTAMPTZ columns become the right UTC instant; a value without an
    offset is taken as UTC. The session time zone is pinned to UTC in the profile, so the host's TZ never
    matters. -#}
{% macro utc_timestamp(column) %}
    {{ return(adapter.dispatch('utc_timestamp', 'revenue_engine')(column)) }}
{% endmacro %}

{% macro default__utc_timestamp(column) %}
    {{ return("cast(" ~ column ~ " as " ~ dbt.type_timestamp() ~ ")") }}
{% endmacro %}

{% macro duckdb__utc_timestamp(column) %}
    {{ return("cast(cast(" ~ column ~ " as timestamptz) as " ~ dbt.type_timestamp() ~ ")") }}
{% endmacro %}
