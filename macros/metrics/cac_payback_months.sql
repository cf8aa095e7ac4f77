{#- CAC payback, in months = CAC (USD) / (new MRR per new customer (USD) x gross margin) (metrics.md, Cost):
    how many months of a new customer's gross profit repay what it cost to acquire. Gross margin defaults
    to the gross_margin var. Null when there is no new MRR (or the CAC is unknown). -#}
{% macro cac_payback_months(cac_usd, new_mrr_per_new_customer_usd, gross_margin=none) %}
    {%- set margin = var('gross_margin') if gross_margin is none else gross_margin -%}
    {{ safe_divide(cac_usd, '(' ~ new_mrr_per_new_customer_usd ~ ') * (' ~ margin ~ ')') }}
{% endmacro %}
