{#- Whether text matches a regular expression as a whole. -#}
{% macro matches_pattern(field, pattern) %}
    {{ return(adapter.dispatch('matches_pattern', 'revenue_engine')(field, pattern)) }}
{% endmacro %}

{% macro default__matches_pattern(field, pattern) %}
    {{ return("regexp_full_match(" ~ field ~ ", '" ~ pattern ~ "')") }}
{% endmacro %}

{% macro spark__matches_pattern(field, pattern) %}
    {{ return("coalesce(" ~ field ~ " rlike '^(" ~ pattern ~ ")$', false)") }}
{% endmacro %}
