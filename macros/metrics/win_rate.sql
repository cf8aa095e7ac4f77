{#- Win rate, by count: won / (won + lost) among deals closed in the period (metrics.md, Velocity).
    The amount-weighted win rate is a separate metric: amount_weighted_win_rate. -#}
{% macro win_rate(won_count, lost_count) %}
    {{ safe_divide(won_count, '(' ~ won_count ~ ') + (' ~ lost_count ~ ')') }}
{% endmacro %}
