{#- A type name of the contracts (the raw contract and the models' YAML speak DuckDB's: varchar, double, bigint,
    decimal(28,6), timestamp, ...) in the engine's own spelling. Only Spark differs: its varchar needs a length,
    and its text type is string. -#}
{% macro engine_data_type(data_type) %}
    {{ return(adapter.dispatch('engine_data_type', 'revenue_engine')(data_type)) }}
{% endmacro %}

{% macro default__engine_data_type(data_type) %}
    {{ return(data_type) }}
{% endmacro %}

{% macro spark__engine_data_type(data_type) %}
    {%- set name = (data_type | string | trim | lower) -%}
    {{ return('string' if name in ('varchar', 'text') else data_type) }}
{% endmacro %}

{#- dbt's cast, used by model contracts and unit-test fixtures, with the contract's type names on Spark. -#}
{% macro spark__cast(field, type) %}
    {{ return("cast(" ~ field ~ " as " ~ engine_data_type(type) ~ ")") }}
{% endmacro %}

{% macro spark__try_cast(field, type) %}
    {{ return("try_cast(" ~ field ~ " as " ~ engine_data_type(type) ~ ")") }}
{% endmacro %}

{#- dbt's datediff on Spark as DuckDB counts: the day, hour, minute or second boundaries crossed, as a bigint,
    null when either side is null (Spark's datediff is an int; dbt-spark's rounds sub-day parts up and fails
    on a null). The project uses no other part. -#}
{% macro spark__datediff(first_date, second_date, datepart) %}
    {%- if datepart == 'day' -%}
        {{ return("cast(datediff(" ~ second_date ~ ", " ~ first_date ~ ") as bigint)") }}
    {%- endif -%}
    {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1} -%}
    {%- if datepart in seconds -%}
        {{ return(
            "cast(floor(unix_timestamp(" ~ second_date ~ ") / " ~ seconds[datepart] ~ ") - floor(unix_timestamp("
            ~ first_date ~ ") / " ~ seconds[datepart] ~ ") as bigint)"
        ) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "datediff by " ~ datepart ~ " has no Spark version here yet (macros/engine_data_type.sql)"
    ) }}
{% endmacro %}

{#- dbt's dateadd on Spark keeping the time of day, as on DuckDB (dbt-spark's date_add and add_months return a
    date: a deadline of "90 days after 14:05" became midnight). -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) %}
    {{ return("timestampadd(" ~ datepart ~ ", " ~ interval ~ ", " ~ from_date_or_timestamp ~ ")") }}
{% endmacro %}
