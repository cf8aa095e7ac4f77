-- Grain: one row per open deal stalled as of as_of_date (fct_opportunities.is_stalled: longer in its current
-- stage than the stage's threshold in int_stage_stall_thresholds). The weekly funnel review's list: who owns
-- it, where it sits, for how long, how old it is and what it is worth.
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

thresholds as (

    select * from {{ ref('int_stage_stall_thresholds') }}

),

users as (

    select * from {{ ref('int_users_joined_to_managers') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

stalled as (

    select * from opportunities
    where is_stalled and not is_closed

),

final as (

    select
        stalled.opportunity_id,
        {{ as_of_date() }} as as_of_date,
        stalled.opportunity_name,
        stalled.owner_id,
        users.user_name as owner_name,
        users.manager_name as owner_manager_name,
        stalled.account_id,
        accounts.account_name,
        stalled.stage,
        stalled.days_in_current_stage,
        thresholds.stalled_after_days,
        stalled.days_in_current_stage - thresholds.stalled_after_days as days_over_threshold,
        thresholds.threshold_source,
        {{ dbt.datediff('stalled.created_at', as_of_date(), 'day') }} as deal_age_days,
        stalled.amount_usd,
        stalled.icp_tier,
        stalled.channel
    from stalled
    left join thresholds
        on stalled.stage = thresholds.stage
    left join users
        on stalled.owner_id = users.user_id
    left join accounts
        on stalled.account_id = accounts.account_id

)

select * from final
