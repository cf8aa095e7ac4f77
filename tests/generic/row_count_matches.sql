{#- The model has exactly as many rows as compare_model: a mart built one row per upstream row neither
    fans out (a join that duplicates) nor drops rows (an inner join that loses some). When the upstream's
    quarantined records are held out on the way (audit_quarantined_records), pass quarantine_model,
    quarantine_source_table (e.g. 'salesforce.lead') and compare_key (the upstream's id column): those
    records are then not expected in the model. Fails with both counts. -#}
{% test row_count_matches(model, compare_model, quarantine_model=none, quarantine_source_table=none, compare_key=none) %}

with

model_rows as (

    select count(*) as row_count from {{ model }}

),

compare_rows as (

    select count(*) as row_count
    from {{ compare_model }} as compared
    {%- if quarantine_model is not none %}
    left join (
        select distinct record_id
        from {{ quarantine_model }}
        where source_table = '{{ quarantine_source_table }}'
    ) as quarantined
        on {{ dbt.cast('compared.' ~ compare_key, dbt.type_string()) }} = quarantined.record_id
    where quarantined.record_id is null
    {%- endif %}

)

select
    model_rows.row_count as model_row_count,
    compare_rows.row_count as compare_model_row_count
from model_rows
cross join compare_rows
where model_rows.row_count != compare_rows.row_count

{% endtest %}
