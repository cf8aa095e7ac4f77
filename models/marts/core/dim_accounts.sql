-- Grain: one row per live account: firmographics, shared ICP fit under the version in effect, customer
-- status as of as_of_date, first won date and acquisition channel.
with

accounts as (

    select * from {{ ref('int_accounts_validated') }}

),

icp as (

    select * from {{ ref('int_firmographics_scored') }}
    where record_type = 'account' and is_version_in_effect

),

acquired as (

    select * from {{ ref('int_accounts_acquired') }}

),

subscriptions as (

    select * from {{ ref('int_subscriptions_validated') }}

),

subscription_status as (

    select
        account_id,
        count(*) as subscription_count,
        sum(
            case
                when started_at <= {{ as_of_date() }}
                    and (ended_at is null or ended_at > {{ as_of_date() }}) then 1
                else 0
            end
        ) as active_subscription_count
    from subscriptions
    group by account_id

),

final as (

    select
        accounts.account_id,
        accounts.account_name,
        accounts.industry,
        accounts.employee_count,
        accounts.annual_revenue_usd,
        accounts.country_code,
        accounts.account_type,
        accounts.owner_id,
        accounts.created_at,
        icp.icp_score,
        icp.icp_tier,
        icp.icp_version,
        icp.has_complete_firmographics,
        case
            when subscription_status.active_subscription_count > 0 then 'customer'
            when subscription_status.subscription_count > 0 then 'former_customer'
            when acquired.account_id is not null then 'customer'
            else 'prospect'
        end as customer_status,
        acquired.first_won_date,
        acquired.new_customer_opportunity_id,
        acquired.acquisition_lead_source,
        acquired.acquisition_channel
    from accounts
    left join icp
        on accounts.account_id = icp.record_id
    left join acquired
        on accounts.account_id = acquired.account_id
    left join subscription_status
        on accounts.account_id = subscription_status.account_id

)

select * from final
