-- One row per booked expense line the marts may use: stg_finance__expenses minus the records int_records_quarantined holds
-- out (finance.expenses). Protected, not private, so the data_quality audit can count what reaches the marts.
{{ config(access='protected') }}

with

expenses as (

    select * from {{ ref('stg_finance__expenses') }}

),

quarantined as (

    select distinct record_id
    from {{ ref('int_records_quarantined') }}
    where source_table = 'finance.expenses'

),

final as (

    select
        expenses.expense_id,
        expenses.expense_month,
        expenses.department,
        expenses.category,
        expenses.channel,
        {{ try_cast('expenses.amount', dbt.type_numeric()) }} as amount,  -- finite and plausible: checked
        expenses.currency_code,
        expenses.synced_at
    from expenses
    left join quarantined
        on expenses.expense_id = quarantined.record_id
    where quarantined.record_id is null

)

select * from final
