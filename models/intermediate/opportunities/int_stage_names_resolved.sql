-- Grain: one row per raw stage name: the stage_mapping seed's rows, plus every stage name the org's deals or their
-- history carry that the seed lacks, placed by the org's own stage definitions (salesforce.opportunity_stage, when
-- it lands: closed/won flags, default probability, forecast category, sort order) or else by the records
-- themselves. Every org renames its stages, and each record says what its stage means: a name the seed lacks is
-- closed when its definition says so or most of its deals are closed (won likewise: closed_won / closed_lost), else
-- an open stage under its own name, placed beside the mapped open stage nearest at or below it (by the
-- definitions' sort order when both are defined, else by probability: the definition's default, else the deals'
-- median; an org with no mapped open stage: ranked by sort order, then probability), qualified pipeline from the
-- seed's first qualified order on unless its forecast category is Omitted. A name seen only in the history (no
-- definition, no deal's flags) is open. The seed overrides every placement; won and lost are never decided by a
-- name the seed lacks. The one place stage names resolve: every model that reads a deal's stage joins this.
with

seed as (

    select * from {{ ref('stage_mapping') }}

),

definitions as (

    select * from {{ ref('stg_salesforce__opportunity_stages') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

opportunity_changes as (

    select * from {{ ref('int_opportunity_changes_validated') }}

),

records as (

    select
        stage_name,
        is_closed,
        is_won,
        probability
    from opportunities
    where stage_name is not null
    union all
    select
        stage_name,
        cast(null as {{ dbt.type_boolean() }}) as is_closed,
        cast(null as {{ dbt.type_boolean() }}) as is_won,
        probability
    from opportunity_changes
    where stage_name is not null

),

observed as (

    select
        stage_name,
        count(is_closed) as flagged_records,
        sum(case when is_closed then 1 else 0 end) as closed_records,
        sum(case when is_won then 1 else 0 end) as won_records,
        percentile_cont(0.5) within group (order by probability) as probability
    from records
    group by stage_name

),

forecast_categories as (

    select
        stage_name,
        forecast_category,
        row_number() over (
            partition by stage_name order by count(*) desc, forecast_category
        ) as popularity
    from opportunities
    where stage_name is not null and forecast_category is not null
    group by stage_name, forecast_category

),

unmapped as (

    select
        observed.stage_name,
        definitions.sort_order,
        coalesce(definitions.default_probability, observed.probability) as probability,
        coalesce(definitions.forecast_category, forecast_categories.forecast_category) as forecast_category,
        coalesce(
            definitions.is_closed,
            observed.flagged_records > 0 and 2 * observed.closed_records > observed.flagged_records
        ) as is_closed,
        coalesce(
            definitions.is_won,
            observed.flagged_records > 0 and 2 * observed.won_records > observed.flagged_records
        ) as is_won,
        case when definitions.stage_name is not null then 'opportunity_stage' else 'record_flags' end as resolved_by
    from observed
    left join seed
        on observed.stage_name = seed.raw_stage_name
    left join definitions
        on observed.stage_name = definitions.stage_name
    left join forecast_categories
        on
            observed.stage_name = forecast_categories.stage_name
            and forecast_categories.popularity = 1
    where seed.raw_stage_name is null

),

mapped_open_positions as (

    -- where the org's mapped open stages sit: their definitions' sort order, and their deals' probability
    select
        seed.stage_order,
        definitions.sort_order,
        coalesce(definitions.default_probability, observed.probability) as probability
    from seed
    left join observed
        on seed.raw_stage_name = observed.stage_name
    left join definitions
        on seed.raw_stage_name = definitions.stage_name
    where not seed.is_closed and (observed.stage_name is not null or definitions.stage_name is not null)

),

seed_orders as (

    select
        max(stage_order) as closed_order,
        min(case when is_qualified_pipeline then stage_order end) as first_qualified_order
    from seed

),

nearest_by_sort_order as (

    select
        unmapped.stage_name,
        max(mapped_open_positions.stage_order) as stage_order
    from unmapped
    inner join mapped_open_positions
        on unmapped.sort_order >= mapped_open_positions.sort_order
    where not unmapped.is_closed
    group by unmapped.stage_name

),

nearest_by_probability as (

    select
        unmapped.stage_name,
        max(mapped_open_positions.stage_order) as stage_order
    from unmapped
    inner join mapped_open_positions
        on unmapped.probability >= mapped_open_positions.probability
    where not unmapped.is_closed
    group by unmapped.stage_name

),

lowest_mapped as (

    select min(stage_order) as stage_order
    from mapped_open_positions

),

placed as (

    select
        unmapped.stage_name as raw_stage_name,
        case
            when unmapped.is_closed and unmapped.is_won then 'closed_won'
            when unmapped.is_closed then 'closed_lost'
            else unmapped.stage_name
        end as stage,
        case
            when unmapped.is_closed then seed_orders.closed_order
            else coalesce(
                    nearest_by_sort_order.stage_order,
                    nearest_by_probability.stage_order,
                    lowest_mapped.stage_order,
                    dense_rank() over (
                        partition by unmapped.is_closed
                        order by unmapped.sort_order nulls last, unmapped.probability nulls first
                    )
                )
        end as stage_order,
        unmapped.is_closed,
        unmapped.is_won,
        unmapped.forecast_category,
        unmapped.probability,
        unmapped.resolved_by
    from unmapped
    cross join seed_orders
    cross join lowest_mapped
    left join nearest_by_sort_order
        on unmapped.stage_name = nearest_by_sort_order.stage_name
    left join nearest_by_probability
        on unmapped.stage_name = nearest_by_probability.stage_name

),

final as (

    select
        cast(raw_stage_name as {{ dbt.type_string() }}) as raw_stage_name,
        cast(stage as {{ dbt.type_string() }}) as stage,
        cast(stage_order as {{ dbt.type_int() }}) as stage_order,
        cast(is_closed as {{ dbt.type_boolean() }}) as is_closed,
        cast(is_won as {{ dbt.type_boolean() }}) as is_won,
        cast(is_qualified_pipeline as {{ dbt.type_boolean() }}) as is_qualified_pipeline,
        cast(forecast_category as {{ dbt.type_string() }}) as forecast_category,
        cast('stage_mapping' as {{ dbt.type_string() }}) as resolved_by
    from seed
    union all
    select
        cast(placed.raw_stage_name as {{ dbt.type_string() }}) as raw_stage_name,
        cast(placed.stage as {{ dbt.type_string() }}) as stage,
        cast(placed.stage_order as {{ dbt.type_int() }}) as stage_order,
        cast(placed.is_closed as {{ dbt.type_boolean() }}) as is_closed,
        cast(placed.is_won as {{ dbt.type_boolean() }}) as is_won,
        cast(
            not placed.is_closed
            and placed.stage_order >= seed_orders.first_qualified_order
            and coalesce(placed.forecast_category, '') != 'Omitted'
            as {{ dbt.type_boolean() }}
        ) as is_qualified_pipeline,
        cast(placed.forecast_category as {{ dbt.type_string() }}) as forecast_category,
        cast(placed.resolved_by as {{ dbt.type_string() }}) as resolved_by
    from placed
    cross join seed_orders

)

select * from final
