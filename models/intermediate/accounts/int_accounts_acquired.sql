-- One row per account that became a customer: its first won New Business deal (the definition of a
-- new customer, on the deal's close date) and the channel that deal is credited to. CAC, dim_accounts
-- and churn by acquisition channel all read it.
with

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

sourced as (

    select * from {{ ref('int_opportunities_sourced') }}

),

won_new_business as (

    select
        opportunities.account_id,
        opportunities.opportunity_id,
        opportunities.close_date,
        sourced.lead_source,
        sourced.channel,
        row_number() over (
            partition by opportunities.account_id
            order by opportunities.close_date nulls last, opportunities.created_at nulls last, opportunities.opportunity_id
        ) as win_order
    from opportunities
    left join sourced
        on opportunities.opportunity_id = sourced.opportunity_id
    where
        opportunities.is_won
        and opportunities.opportunity_type = 'New Business'
        and opportunities.account_id is not null
        and opportunities.close_date is not null

),

final as (

    select
        account_id,
        opportunity_id as new_customer_opportunity_id,
        close_date as first_won_date,
        lead_source as acquisition_lead_source,
        channel as acquisition_channel
    from won_new_business
    where win_order = 1

)

select * from final
