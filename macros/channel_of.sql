{#- The governed channel of a record, given its raw lead source and the channel the channel_mapping seed
    gives it: 'unattributed' with no source at all, 'unmapped' with a source the seed does not know. -#}
{% macro channel_of(lead_source, mapped_channel) %}
    case
        when {{ lead_source }} is null then 'unattributed'
        when {{ mapped_channel }} is null then 'unmapped'
        else {{ mapped_channel }}
    end
{% endmacro %}
