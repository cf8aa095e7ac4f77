{#- A funnel never widens: on every row each count is at most the one before it, in the order given
    (count_columns: [lead_count, mql_count, ...]). A null count fails: a funnel stage is counted, or zero.
    Returns the offending rows. -#}
{% test funnel_monotonic(model, count_columns) %}

{%- if count_columns | length < 2 %}
    {{ exceptions.raise_compiler_error("funnel_monotonic needs at least two count_columns, got " ~ count_columns) }}
{%- endif %}

select *
from {{ model }}
where
    {%- for column in count_columns %}
    {{ 'or ' if not loop.first }}{{ column }} is null
    {%- endfor %}
    {%- for index in range(1, count_columns | length) %}
    or {{ count_columns[index] }} > {{ count_columns[index - 1] }}
    {%- endfor %}

{% endtest %}
