{#- Customer lifetime value, USD = ARPA (USD per month) x gross margin / monthly logo churn rate (metrics.md,
    Cost): the gross profit of an average account over its expected life (1 / churn months). Gross margin
    defaults to the gross_margin var. Null when churn is zero or unknown (an infinite life is no estimate). -#}
{% macro lifetime_value(arpa_usd, monthly_logo_churn_rate, gross_margin=none) %}
    {%- set margin = var('gross_margin') if gross_margin is none else gross_margin -%}
    {{ safe_divide('(' ~ arpa_usd ~ ') * (' ~ margin ~ ')', monthly_logo_churn_rate) }}
{% endmacro %}
