-- One row per currency and day with a usable rate: stg_finance__fx_rates minus the rates
-- int_records_quarantined holds out (finance.fx_rates: null or non-positive). Protected, not private, so
-- the data_quality audit can count what reaches the marts.
{{ config(access='protected') }}

with

fx_rates as (

    select * from {{ ref('stg_finance__fx_rates') }}

),

quarantined as (

    select distinct record_id
    from {{ ref('int_records_quarantined') }}
    where source_table = 'finance.fx_rates'

),

keyed as (

    select
        *,
        {{ audit_record_id(['currency_code', 'rate_date']) }} as record_id
    from fx_rates

),

final as (

    select
        keyed.rate_date,
        keyed.currency_code,
        {{ try_cast('keyed.rate_to_usd', dbt.type_numeric()) }} as rate_to_usd  -- finite, positive: checked
    from keyed
    left join quarantined
        on keyed.record_id = quarantined.record_id
    where quarantined.record_id is null

)

select * from final
