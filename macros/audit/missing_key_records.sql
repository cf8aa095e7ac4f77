{#- The audit rows (source_table, record_id, reason, detected_at, details) of the raw rows of each table in
    `source_tables` that have no key (null or blank): they cannot be deduplicated, joined or deleted, so they
    are quarantined, one audit row per raw row. Such a row has no id of its own: record_id is
    '<missing key> #n', numbered in the order of the row's content, so the same data gives the same ids. -#}
{% macro missing_key_records(source_tables) %}
    {%- for source_table in source_tables %}
        {%- set source_name, table_name = source_table.split('.') %}
        {%- set node = raw_source_node(source_table) %}
        {%- set content = [] %}
        {%- for column in node.columns %}
            {%- if not loop.first %}{% do content.append("'|'") %}{% endif %}
            {%- do content.append("coalesce(" ~ dbt.cast(adapter.quote(column), dbt.type_string()) ~ ", '<null>')") %}
        {%- endfor %}
    select
        '{{ source_table }}' as source_table,
        {{ dbt.concat(["'<missing key> #'", dbt.cast("row_number() over (order by " ~ (dbt.concat(content) if content else "1") ~ ")", dbt.type_string())]) }}
            as record_id,
        'missing_key' as reason,
        {% if node.loaded_at_field and node.loaded_at_field in node.columns %}{{ utc_timestamp(node.loaded_at_field) }}{% else %}cast(null as {{ dbt.type_timestamp() }}){% endif %}
            as detected_at,
        '{{ raw_table_keys(source_table) | join(", ") }} is null or blank' as details
    from {{ source(source_name, table_name) }}
    where not {{ raw_key_present(source_table) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}
