{#- A record key as staging keeps it: text, surrounding blanks trimmed, an empty or blank key null (a keyless
    row is quarantined as missing_key, never joined). Case is kept: Salesforce 15-character ids and billing
    ids are case-sensitive, so case variants are flagged (case_variant_id), not merged. -#}
{% macro normalize_id(column) %}
    {{ return("nullif(trim(" ~ dbt.cast(column, dbt.type_string()) ~ "), '')") }}
{% endmacro %}
