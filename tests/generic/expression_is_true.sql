{#- A rule every row must satisfy, written as a boolean SQL expression over the model's columns. A row where
    it is false or null fails. Returns the offending rows. -#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
