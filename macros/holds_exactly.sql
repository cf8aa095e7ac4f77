{#- Whether a landed value (`field`, landed as `landed_type`) is one the contract's `data_type` holds exactly. Text
    in a number column must be a plain number: engines' casts round `1.5` to the integer 2 and read `1_0` as 10 or
    `1,000` as a number without a word, so an integer is digits with an optional sign and a decimal digits, a
    point and an exponent (or the words inf, infinity and nan, which the plausibility rules quarantine by
    name). Anything else must cast. -#}
{% macro holds_exactly(field, data_type, landed_type) %}
    {%- set text = 'char' in landed_type or landed_type in ('text', 'string') -%}
    {%- set trimmed = "trim(" ~ field ~ ")" -%}
    {%- if text and data_type in ('bigint', 'integer', 'int') -%}
        {{ return(matches_pattern(trimmed, '[+-]?[0-9]+')) }}
    {%- elif text and data_type in ('double', 'float') -%}
        {{ return(
            matches_pattern(trimmed, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?')
            ~ " or " ~ matches_pattern("lower(" ~ trimmed ~ ")", '[+-]?(inf|infinity|nan)')
        ) }}
    {%- endif -%}
    {{ return(try_cast(field, data_type) ~ " is not null") }}
{% endmacro %}
