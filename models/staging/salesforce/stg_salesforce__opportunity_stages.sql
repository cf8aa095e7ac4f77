with

source as (

    select * from {{ source('salesforce', 'opportunity_stage') }}

),

renamed as (

    select
        {{ normalize_id('id') }} as opportunity_stage_id,
        cast(trim(master_label) as {{ dbt.type_string() }}) as stage_name,
        cast(trim(api_name) as {{ dbt.type_string() }}) as api_name,
        cast(sort_order as {{ dbt.type_int() }}) as sort_order,
        cast(default_probability as {{ dbt.type_float() }}) as default_probability,
        cast(is_closed as {{ dbt.type_boolean() }}) as is_closed,
        cast(is_won as {{ dbt.type_boolean() }}) as is_won,
        cast(forecast_category as {{ dbt.type_string() }}) as forecast_category,
        coalesce(cast(is_active as {{ dbt.type_boolean() }}), true) as is_active,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        {{ utc_timestamp('_fivetran_synced') }} as synced_at
    from source

),

deduplicated as (

    -- a row re-synced by the connector appears again: the latest load wins (a copy without a load time
    -- loses to one with; different copies at the same load are quarantined as conflicting_duplicate_id).
    -- Keyless rows are left out here and quarantined as missing_key.
    select
        *,
        row_number() over (
            partition by opportunity_stage_id
            order by synced_at desc nulls last
        ) as load_order
    from renamed

),

final as (

    select
        opportunity_stage_id,
        stage_name,
        api_name,
        sort_order,
        default_probability,
        is_closed,
        is_won,
        forecast_category,
        is_active,
        is_deleted,
        synced_at
    from deduplicated
    where load_order = 1 and opportunity_stage_id is not null and not is_deleted

)

select * from final
