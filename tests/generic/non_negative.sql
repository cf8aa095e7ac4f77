{#- Money, counts and durations are never negative. Nulls pass (see not_null for those). -#}
{% test non_negative(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0

{% endtest %}
