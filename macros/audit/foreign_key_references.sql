{#- One row per non-null reference of the records of `relation` (a CTE of the calling model): the raw
    table, the record's id, the raw column holding the reference, the kind of parent it names and its id,
    and the record's load time. `references` is a list of (raw column, staged column, parent type). -#}
{% macro foreign_key_references(source_table, relation, key, references) %}
    {%- for raw_column, column, parent_type in references %}
    select
        '{{ source_table }}' as source_table,
        {{ key }} as record_id,
        '{{ raw_column }}' as column_name,
        '{{ parent_type }}' as parent_type,
        {{ column }} as parent_id,
        synced_at
    from {{ relation }}
    where {{ column }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}
