-- Grain: one row per quarantined raw record and reason. The one place quarantine is decided: a record
-- listed here is held out of every mart (the int_*_validated models and int_ad_spend_unioned anti-join this
-- model on source_table and record_id; audit_quarantined_records publishes it). A record is quarantined when
-- keeping it would corrupt a mart: no key, an amount that is not a number or beyond any plausible size, a
-- negative amount, a currency nothing converts, an unusable or implausibly moving FX rate, a date before the
-- plausible floor or after as_of_date, a subscription that ends before it starts, a lead without a creation
-- date, a change to a deal that is not live, or conflicting copies at the same load.
-- See docs/bad-input-catalogue.md.
{{ config(access='protected') }}

{%- set ceilings = var('max_plausible_amount') %}
with

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

opportunity_changes as (

    select * from {{ ref('stg_salesforce__opportunity_changes') }}

),

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

expenses as (

    select * from {{ ref('stg_finance__expenses') }}

),

fx_rates as (

    select * from {{ ref('stg_finance__fx_rates') }}

),

raw_opportunities as (

    select {{ normalize_id('id') }} as opportunity_id
    from {{ source('salesforce', 'opportunity') }}

),

ad_spend as (

    select
        'google_ads.campaign_stats' as source_table,
        {{ audit_record_id(['campaign_id', 'spend_date']) }} as record_id,
        spend_date,
        'cost_micros' as amount_column,
        spend,
        'currency_code' as currency_column,
        currency_code,
        clicks,
        impressions,
        synced_at
    from {{ ref('stg_google_ads__campaign_stats') }}
    union all
    select
        'linkedin_ads.ad_analytics_by_campaign' as source_table,
        {{ audit_record_id(['campaign_id', 'spend_date']) }} as record_id,
        spend_date,
        'cost_in_local_currency' as amount_column,
        cast(spend as {{ type_double() }}) as spend,
        'currency_code' as currency_column,
        currency_code,
        clicks,
        impressions,
        synced_at
    from {{ ref('stg_linkedin_ads__campaign_stats') }}
    union all
    select
        'facebook_ads.basic_campaign' as source_table,
        {{ audit_record_id(['campaign_id', 'spend_date']) }} as record_id,
        spend_date,
        'spend' as amount_column,
        cast(spend as {{ type_double() }}) as spend,
        'account_currency' as currency_column,
        currency_code,
        clicks,
        impressions,
        synced_at
    from {{ ref('stg_facebook_ads__campaign_stats') }}

),

-- FX rates ---------------------------------------------------------------------------------------------

invalid_fx_rates as (

    select
        'finance.fx_rates' as source_table,
        {{ audit_record_id(['currency_code', 'rate_date']) }} as record_id,
        'invalid_fx_rate' as reason,
        -- the feed has no load time: detected as of as_of_date
        cast({{ as_of_date() }} as {{ dbt.type_timestamp() }}) as detected_at,
        {{ dbt.concat(["'rate_to_usd = '", "coalesce(" ~ dbt.cast('rate_to_usd', dbt.type_string()) ~ ", 'null')"]) }}
            as details
    from fx_rates
    where rate_to_usd is null or rate_to_usd <= 0 or not {{ is_finite('rate_to_usd') }}

),

usable_fx_rates_numbered as (

    select
        currency_code,
        rate_date,
        rate_to_usd,
        row_number() over (partition by currency_code order by rate_date) as rate_number
    from fx_rates
    where rate_to_usd > 0 and {{ is_finite('rate_to_usd') }}

),

usable_fx_rates as (

    -- the median of the currency's previous seven usable rates: one wild day cannot move it (a join, not a
    -- windowed median, which Spark does not allow over a frame)
    select
        usable_rate.currency_code,
        usable_rate.rate_date,
        usable_rate.rate_to_usd,
        cast(percentile_cont(0.5) within group (
            order by previous_rate.rate_to_usd
        ) as {{ dbt.type_numeric() }}) as recent_median_rate
    from usable_fx_rates_numbered as usable_rate
    left join usable_fx_rates_numbered as previous_rate
        on usable_rate.currency_code = previous_rate.currency_code
            and previous_rate.rate_number between usable_rate.rate_number - 7 and usable_rate.rate_number - 1
    group by usable_rate.currency_code, usable_rate.rate_date, usable_rate.rate_to_usd

),

implausible_fx_moves as (

    -- a rate more than fx_max_daily_move_factor times above or below the recent rates is a feed error
    -- (a rate in the wrong unit, a digit too many), not a market move
    select
        'finance.fx_rates' as source_table,
        {{ audit_record_id(['currency_code', 'rate_date']) }} as record_id,
        'implausible_fx_move' as reason,
        cast({{ as_of_date() }} as {{ dbt.type_timestamp() }}) as detected_at,
        {{ dbt.concat([
            "'rate_to_usd = '", dbt.cast('rate_to_usd', dbt.type_string()),
            "' against a recent median of '", dbt.cast('recent_median_rate', dbt.type_string()),
            "' (more than ' ", "'" ~ var('fx_max_daily_move_factor') ~ "'", "'x, var fx_max_daily_move_factor)'",
        ]) }} as details
    from usable_fx_rates
    where
        rate_to_usd > recent_median_rate * {{ var('fx_max_daily_move_factor') }}
        or rate_to_usd < recent_median_rate / {{ var('fx_max_daily_move_factor') }}

),

-- the currencies money can be converted from: USD, and every currency with a usable rate
known_currencies as (

    select distinct currency_code
    from fx_rates
    where rate_to_usd > 0 and {{ is_finite('rate_to_usd') }}
    union
    select 'USD' as currency_code

),

-- Money: negative amounts and unknown currencies -------------------------------------------------------

money as (

    select
        'salesforce.opportunity' as source_table,
        opportunity_id as record_id,
        'amount' as amount_column,
        {{ ceilings['deal'] }} as amount_ceiling,
        cast(amount as {{ type_double() }}) as amount,
        'currency_iso_code' as currency_column,
        currency_code,
        synced_at,
        true as has_own_currency
    from opportunities
    union all
    -- a deal's history is money in its deal's currency: the same plausibility rules, its currency checked on the deal
    select
        'salesforce.opportunity_history' as source_table,
        opportunity_change_id as record_id,
        'amount' as amount_column,
        {{ ceilings['deal'] }} as amount_ceiling,
        cast(amount as {{ type_double() }}) as amount,
        'currency_iso_code' as currency_column,
        cast(null as {{ dbt.type_string() }}) as currency_code,
        synced_at,
        false as has_own_currency
    from opportunity_changes
    union all
    select
        'billing.subscription' as source_table,
        subscription_id as record_id,
        'mrr' as amount_column,
        {{ ceilings['subscription_mrr'] }} as amount_ceiling,
        cast(mrr as {{ type_double() }}) as amount,
        'currency_code' as currency_column,
        currency_code,
        synced_at,
        true as has_own_currency
    from subscriptions
    union all
    select
        'finance.expenses' as source_table,
        expense_id as record_id,
        'amount' as amount_column,
        {{ ceilings['expense'] }} as amount_ceiling,
        cast(amount as {{ type_double() }}) as amount,
        'currency_code' as currency_column,
        currency_code,
        synced_at,
        true as has_own_currency
    from expenses
    union all
    select
        source_table,
        record_id,
        amount_column,
        {{ ceilings['ad_spend_day'] }} as amount_ceiling,
        spend as amount,
        currency_column,
        currency_code,
        synced_at,
        true as has_own_currency
    from ad_spend

),

implausible_amounts as (

    -- not a number, infinite, or larger than any deal, MRR, expense line or day of ad spend could be
    -- (var max_plausible_amount, in the record's own currency): a unit or typing error
    select
        source_table,
        record_id,
        'implausible_amount' as reason,
        synced_at as detected_at,
        {{ dbt.concat([
            "amount_column", "' = '", dbt.cast('amount', dbt.type_string()),
            "' (not a finite number, or beyond the ceiling '", dbt.cast('amount_ceiling', dbt.type_string()),
            "', var max_plausible_amount)'",
        ]) }} as details
    from money
    where not {{ is_finite('amount') }} or abs(amount) > amount_ceiling

),

negative_amounts as (

    select
        source_table,
        record_id,
        'negative_amount' as reason,
        synced_at as detected_at,
        {{ dbt.concat(["amount_column", "' = '", dbt.cast('amount', dbt.type_string())]) }} as details
    from money
    where amount < 0 and {{ is_finite('amount') }}

),

unknown_currencies as (

    select
        money.source_table,
        money.record_id,
        'unknown_currency' as reason,
        money.synced_at as detected_at,
        {{ dbt.concat(["money.currency_column", "' = '", "coalesce(money.currency_code, 'null')"]) }} as details
    from money
    left join known_currencies
        on money.currency_code = known_currencies.currency_code
    where money.has_own_currency and money.amount is not null and known_currencies.currency_code is null

),

negative_counts as (

    select
        source_table,
        record_id,
        'negative_count' as reason,
        synced_at as detected_at,
        {{ dbt.concat([
            "'clicks = '", "coalesce(" ~ dbt.cast('clicks', dbt.type_string()) ~ ", 'null')",
            "', impressions = '", "coalesce(" ~ dbt.cast('impressions', dbt.type_string()) ~ ", 'null')",
        ]) }} as details
    from ad_spend
    where clicks < 0 or impressions < 0

),

-- Dates: records dated after as_of_date do not exist yet as of that day --------------------------------

dated as (

    select
        'salesforce.lead' as source_table,
        lead_id as record_id,
        'created_date' as date_column,
        cast(created_at as date) as record_date,
        synced_at
    from leads
    union all
    select
        'salesforce.opportunity' as source_table,
        opportunity_id as record_id,
        'created_date' as date_column,
        cast(created_at as date) as record_date,
        synced_at
    from opportunities
    union all
    select
        'salesforce.opportunity_history' as source_table,
        opportunity_change_id as record_id,
        'created_date' as date_column,
        cast(changed_at as date) as record_date,
        synced_at
    from opportunity_changes
    union all
    select
        'finance.expenses' as source_table,
        expense_id as record_id,
        'month' as date_column,
        expense_month as record_date,
        synced_at
    from expenses
    union all
    select
        'billing.subscription' as source_table,
        subscription_id as record_id,
        'started_at' as date_column,
        cast(started_at as date) as record_date,
        synced_at
    from subscriptions
    union all
    select
        source_table,
        record_id,
        'date' as date_column,
        spend_date as record_date,
        synced_at
    from ad_spend

),

dates_after_as_of_date as (

    select
        source_table,
        record_id,
        'date_after_as_of_date' as reason,
        synced_at as detected_at,
        {{ dbt.concat([
            "date_column", "' = '", dbt.cast('record_date', dbt.type_string()),
            "' > as_of_date '", dbt.cast(as_of_date(), dbt.type_string()),
        ]) }} as details
    from dated
    where record_date > {{ as_of_date() }}

),

dates_before_floor as (

    -- a date before earliest_plausible_date is a default or a typing error (0001-01-01, 1900-01-01)
    select
        source_table,
        record_id,
        'date_before_floor' as reason,
        synced_at as detected_at,
        {{ dbt.concat([
            "date_column", "' = '", dbt.cast('record_date', dbt.type_string()),
            "' < earliest_plausible_date " ~ var('earliest_plausible_date') ~ "'",
        ]) }} as details
    from dated
    where record_date < cast('{{ var('earliest_plausible_date') }}' as date)

),

subscriptions_ending_before_start as (

    -- a subscription that ends before it starts would count as churned before it was ever live
    select
        'billing.subscription' as source_table,
        subscription_id as record_id,
        'inverted_dates' as reason,
        synced_at as detected_at,
        {{ dbt.concat([
            "'ended_at = '", dbt.cast('ended_at', dbt.type_string()),
            "' < started_at = '", dbt.cast('started_at', dbt.type_string()),
        ]) }} as details
    from subscriptions
    where ended_at < started_at

),

-- Records without a key: they cannot be deduplicated, joined or deleted --------------------------------

missing_keys as (

    {{ missing_key_records(raw_tables()) }}

),

-- Leads: a lead without a creation date belongs to no cohort -------------------------------------------

leads_without_created_date as (

    select
        'salesforce.lead' as source_table,
        lead_id as record_id,
        'missing_created_date' as reason,
        synced_at as detected_at,
        'created_date = null' as details
    from leads
    where created_at is null

),

-- Conflicting copies of one record at its latest load ---------------------------------------------------

conflicting_duplicates as (

    {{ conflicting_duplicate_records([
        'salesforce.lead', 'salesforce.opportunity', 'salesforce.opportunity_history',
        'billing.subscription', 'finance.expenses', 'google_ads.campaign_stats',
        'linkedin_ads.ad_analytics_by_campaign', 'facebook_ads.basic_campaign',
    ], 'two or more different rows share the id and the latest load') }}

),

-- Opportunity history: a change to a deal that is not live describes nothing ---------------------------

quarantined_opportunities as (

    select record_id as opportunity_id
    from negative_amounts
    where source_table = 'salesforce.opportunity'
    union
    select record_id as opportunity_id
    from unknown_currencies
    where source_table = 'salesforce.opportunity'
    union
    select record_id as opportunity_id
    from dates_after_as_of_date
    where source_table = 'salesforce.opportunity'
    union
    select record_id as opportunity_id
    from dates_before_floor
    where source_table = 'salesforce.opportunity'
    union
    select record_id as opportunity_id
    from implausible_amounts
    where source_table = 'salesforce.opportunity'
    union
    select record_id as opportunity_id
    from conflicting_duplicates
    where source_table = 'salesforce.opportunity'

),

opportunity_states as (

    -- live, quarantined, or soft-deleted (in the raw table but not staged: staging drops only older
    -- loads and soft deletes); an id in none of them is an orphan
    select
        raw_ids.opportunity_id,
        case
            when opportunities.opportunity_id is null then 'soft_deleted'
            when quarantined_opportunities.opportunity_id is not null then 'quarantined'
            else 'live'
        end as opportunity_state
    from (select distinct opportunity_id from raw_opportunities) as raw_ids
    left join opportunities
        on raw_ids.opportunity_id = opportunities.opportunity_id
    left join quarantined_opportunities
        on raw_ids.opportunity_id = quarantined_opportunities.opportunity_id

),

changes_without_live_deal as (

    select
        'salesforce.opportunity_history' as source_table,
        opportunity_changes.opportunity_change_id as record_id,
        case opportunity_states.opportunity_state
            when 'soft_deleted' then 'parent_soft_deleted'
            when 'quarantined' then 'parent_quarantined'
            else 'orphan_foreign_key'
        end as reason,
        opportunity_changes.synced_at as detected_at,
        {{ dbt.concat(["'opportunity_id = '", "coalesce(opportunity_changes.opportunity_id, 'null')"]) }}
            as details
    from opportunity_changes
    left join opportunity_states
        on opportunity_changes.opportunity_id = opportunity_states.opportunity_id
    where opportunity_states.opportunity_state is null or opportunity_states.opportunity_state != 'live'

),

unioned as (

    select * from missing_keys
    union all
    select * from invalid_fx_rates
    union all
    select * from implausible_fx_moves
    union all
    select * from implausible_amounts
    union all
    select * from negative_amounts
    union all
    select * from unknown_currencies
    union all
    select * from negative_counts
    union all
    select * from dates_after_as_of_date
    union all
    select * from dates_before_floor
    union all
    select * from subscriptions_ending_before_start
    union all
    select * from leads_without_created_date
    union all
    select * from conflicting_duplicates
    union all
    select * from changes_without_live_deal

),

final as (

    -- one row per record and reason
    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(record_id as {{ dbt.type_string() }}) as record_id,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(coalesce(min(detected_at), {{ as_of_date() }}) as {{ dbt.type_timestamp() }}) as detected_at,
        cast({{ dbt.listagg('details', "'; '", 'order by details') }} as {{ dbt.type_string() }}) as details
    from unioned
    group by source_table, record_id, reason

)

select * from final
