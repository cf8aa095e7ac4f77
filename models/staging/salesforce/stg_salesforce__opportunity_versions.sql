-- One row per version of a deal when the connector lands salesforce.opportunity in history mode
-- (`_fivetran_start`, `_fivetran_end`, `_fivetran_active`): every version the file holds, active or not, that
-- changed the deal's stage, amount, close date, probability, forecast category or closed/won flags, with the
-- moment it took effect (`_fivetran_start`). The versions are the exact history of each record; where
-- opportunity_history does not land they are the deals' change history (int_opportunity_changes_validated).
-- Read from every landed row (landed_relation: the active rows are what stg_salesforce__opportunities reads).
-- No rows when the table is not in history mode (it has no _fivetran_start).
-- depends_on: {{ source('salesforce', 'opportunity') }}
{%- set landed = landed_relation('salesforce.opportunity') %}
{%- set history_mode = false %}
{%- if execute %}
    {%- set columns = adapter.get_columns_in_relation(landed) | map(attribute='name') | map('lower') | list %}
    {%- set history_mode = '_fivetran_start' in columns %}
{%- endif %}

with

source as (

    select
        *,
        {{ '_fivetran_start' if history_mode else 'cast(null as ' ~ dbt.type_timestamp() ~ ')' }} as version_start
    from {{ landed }}
    where {{ 'true' if history_mode else 'false' }}

),

renamed as (

    select
        {{ normalize_id('id') }} as opportunity_id,
        {{ utc_timestamp('version_start') }} as changed_at,
        cast(trim(stage_name) as {{ dbt.type_string() }}) as stage_name,
        cast(amount as {{ type_double() }}) as amount,
        cast(close_date as date) as close_date,
        cast(probability as {{ dbt.type_float() }}) as probability,
        cast(forecast_category as {{ dbt.type_string() }}) as forecast_category,
        cast(is_closed as {{ dbt.type_boolean() }}) as is_closed,
        cast(is_won as {{ dbt.type_boolean() }}) as is_won,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        {{ utc_timestamp('_fivetran_synced') }} as synced_at
    from source

),

compared as (

    select
        *,
        lag(stage_name) over (partition by opportunity_id order by changed_at) as previous_stage_name,
        lag(amount) over (partition by opportunity_id order by changed_at) as previous_amount,
        lag(close_date) over (partition by opportunity_id order by changed_at) as previous_close_date,
        lag(probability) over (partition by opportunity_id order by changed_at) as previous_probability,
        lag(forecast_category) over (partition by opportunity_id order by changed_at) as previous_forecast_category,
        lag(is_closed) over (partition by opportunity_id order by changed_at) as previous_is_closed,
        lag(is_won) over (partition by opportunity_id order by changed_at) as previous_is_won,
        row_number() over (partition by opportunity_id order by changed_at) as version_number
    from renamed
    where opportunity_id is not null and changed_at is not null and not is_deleted

),

final as (

    select
        {{ dbt.concat(["opportunity_id", "'@'", dbt.cast("changed_at", dbt.type_string())]) }} as opportunity_change_id,
        opportunity_id,
        changed_at,
        stage_name,
        amount,
        close_date,
        probability,
        forecast_category,
        is_closed,
        is_won,
        synced_at
    from compared
    where
        version_number = 1
        or stage_name is distinct from previous_stage_name
        or amount is distinct from previous_amount
        or close_date is distinct from previous_close_date
        or probability is distinct from previous_probability
        or forecast_category is distinct from previous_forecast_category
        or is_closed is distinct from previous_is_closed
        or is_won is distinct from previous_is_won

)

select * from final
