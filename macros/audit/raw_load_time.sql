{#- The load time of a raw row for ordering its copies: the UTC instant, and a missing load time as the
    earliest possible one (a copy without a load time loses to any copy with one, as in staging). -#}
{% macro raw_load_time(loaded_at) %}
    {{ return("coalesce(" ~ utc_timestamp(loaded_at) ~ ", cast('0001-01-01' as " ~ dbt.type_timestamp() ~ "))") }}
{% endmacro %}
