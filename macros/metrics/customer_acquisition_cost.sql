{#- CAC = cost (USD) / new customers in the period (metrics.md, Cost). Paid CAC passes paid media spend;
    blended CAC passes paid media + program + sales and marketing headcount + tools. -#}
{% macro customer_acquisition_cost(cost_usd, new_customers) %}
    {{ safe_divide(cost_usd, new_customers) }}
{% endmacro %}
