{#- Rates and shares lie within 0..1. Nulls (a zero denominator) pass. -#}
{% test between_zero_and_one(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1

{% endtest %}
