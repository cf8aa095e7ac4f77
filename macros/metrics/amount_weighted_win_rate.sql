{#- Amount-weighted win rate: won USD / (won + lost USD) among deals closed in the period. Deals without
    an amount weigh nothing. -#}
{% macro amount_weighted_win_rate(won_amount_usd, lost_amount_usd) %}
    {{ safe_divide(won_amount_usd, 'coalesce(' ~ won_amount_usd ~ ', 0) + coalesce(' ~ lost_amount_usd ~ ', 0)') }}
{% endmacro %}
