with

source as (

    select * from {{ source('salesforce', 'opportunity_history') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as opportunity_change_id,
        cast(opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
        cast(created_date as {{ dbt.type_timestamp() }}) as changed_at,
        cast(trim(stage_name) as {{ dbt.type_string() }}) as stage_name,
        cast(amount as {{ dbt.type_numeric() }}) as amount,
        cast(close_date as date) as close_date,
        cast(probability as {{ dbt.type_float() }}) as probability,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        cast(_fivetran_synced as {{ dbt.type_timestamp() }}) as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins
    select
        *,
        row_number() over (
            partition by opportunity_change_id
            order by synced_at desc
        ) as load_order
    from renamed

),

final as (

    select
        opportunity_change_id,
        opportunity_id,
        changed_at,
        stage_name,
        amount,
        close_date,
        probability,
        synced_at
    from deduplicated
    where load_order = 1
        and not is_deleted  -- soft deletes are counted in audit_raw_row_reconciliation

)

select * from final
