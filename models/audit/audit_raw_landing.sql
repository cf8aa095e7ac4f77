-- Grain: one row per raw contract table and column: whether it landed and how the project reads it
-- (status: landed under its own name, mapped from an alias or var raw_column_map, default from its
-- when_absent var, absent (null) or not_landed (the table did not land)), what needs it, which loader's shape
-- the table was recognised as (raw_loader()) and the file it was read from. Read once per
-- run from the landed tables (raw_landing()), the plan register_raw_sources() follows. The summary lists what
-- is absent and which figures are therefore not available.
{%- set rows = [] %}
{%- for table in raw_landing() %}
    {%- for column in table.columns %}
        {%- do rows.append([
            table.node.source_name ~ '.' ~ table.node.name,
            column.name,
            column.required,
            column.status,
            column.landed_as,
            node_meta(table.node).get('needed_for') if column.status == 'not_landed'
                else column.needed_for or node_meta(table.node).get('needed_for'),
            table.loader,
            table.path,
        ]) %}
    {%- endfor %}
{%- endfor %}

with

landing as (

    {%- if rows %}
    -- noqa: disable=LT02,AL05
    select * from (
        values
        {%- for row in rows %}
            (
                '{{ row[0] }}', '{{ row[1] }}', {{ 'true' if row[2] else 'false' }}, '{{ row[3] }}',
                {{ "'" ~ (row[4] | replace("'", "''")) ~ "'" if row[4] is not none else 'null' }},
                {{ "'" ~ (row[5] | replace("'", "''")) ~ "'" if row[5] else 'null' }},
                '{{ row[6] }}', {{ "'" ~ (row[7] | replace("'", "''")) ~ "'" if row[7] else 'null' }}
            ){{ ',' if not loop.last }}
        {%- endfor %}
    ) as landed (source_table, column_name, is_required, status, landed_as, needed_for, loader, landed_file)
    -- noqa: enable=all
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_boolean() }}) as is_required,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(null as {{ dbt.type_string() }}) as landed_as,
        cast(null as {{ dbt.type_string() }}) as needed_for,
        cast(null as {{ dbt.type_string() }}) as loader,
        cast(null as {{ dbt.type_string() }}) as landed_file
    where 1 = 0
    {%- endif %}

),

final as (

    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(column_name as {{ dbt.type_string() }}) as column_name,
        cast(is_required as {{ dbt.type_boolean() }}) as is_required,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(landed_as as {{ dbt.type_string() }}) as landed_as,
        cast(needed_for as {{ dbt.type_string() }}) as needed_for,
        cast(loader as {{ dbt.type_string() }}) as loader,
        cast(landed_file as {{ dbt.type_string() }}) as landed_file
    from landing

)

select * from final
