{#- Pipeline velocity, USD per day = open qualified opportunities x win rate x average deal size (USD)
    / sales cycle length (days) (metrics.md, Velocity). Null when the cycle is zero or unknown. -#}
{% macro pipeline_velocity(open_qualified_opportunities, win_rate, average_deal_size_usd, sales_cycle_days) %}
    {{ safe_divide(
        '(' ~ open_qualified_opportunities ~ ') * (' ~ win_rate ~ ') * (' ~ average_deal_size_usd ~ ')',
        sales_cycle_days
    ) }}
{% endmacro %}
