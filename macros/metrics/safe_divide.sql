{#- numerator / denominator as a decimal, null when the denominator is zero or null (never an error,
    never a silent zero). Every rate in the project divides through this. -#}
{% macro safe_divide(numerator, denominator) %}
    case
        when ({{ denominator }}) = 0 then null
        else cast({{ numerator }} as {{ type_double() }}) / ({{ denominator }})
    end
{% endmacro %}
