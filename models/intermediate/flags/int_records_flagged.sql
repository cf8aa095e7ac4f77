-- Grain: one row per flagged raw record and reason: the warnings. A flagged record is kept in the marts (it is
-- live and not quarantined) but something about it is doubtful: a free-text value the mapping seeds do not
-- know, a reference to a record that is missing or soft-deleted, dates that contradict each other or lie after
-- as_of_date, an amount with no FX rate to convert it, a value out of its range. The marts show such values
-- as 'unmapped' or null where they are used. See docs/bad-input-catalogue.md.
-- Decided here, next to the quarantine; audit_flagged_records publishes it.
{{ config(access='protected') }}
{%- set unlanded_parents = [] %}
{%- if execute %}
    {%- for parent_type, source_table in [
        ('account', 'salesforce.account'), ('contact', 'salesforce.contact'), ('campaign', 'salesforce.campaign'),
        ('user', 'salesforce.user'), ('opportunity', 'salesforce.opportunity'), ('lead', 'salesforce.lead'),
    ] %}
        {%- if not raw_landed_columns(raw_source_node(source_table)).landed %}
            {%- do unlanded_parents.append(parent_type) %}
        {%- endif %}
    {%- endfor %}
    {%- if 'lead' in unlanded_parents and 'contact' in unlanded_parents %}
        {%- do unlanded_parents.append('lead_or_contact') %}
    {%- endif %}
{%- endif %}

with

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}

),

leads as (

    select * from {{ ref('int_leads_validated') }}

),

opportunity_changes as (

    select * from {{ ref('int_opportunity_changes_validated') }}

),

subscriptions as (

    select * from {{ ref('int_subscriptions_validated') }}

),

expenses as (

    select * from {{ ref('int_expenses_validated') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_validated') }}

),

filled_fx_rates as (

    select * from {{ ref('int_fx_rates_filled') }}

),

staged_opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

staged_leads as (

    select * from {{ ref('stg_salesforce__leads') }}

),

accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

contacts as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

campaigns as (

    select * from {{ ref('stg_salesforce__campaigns') }}

),

users as (

    select * from {{ ref('stg_salesforce__users') }}

),

tasks as (

    select * from {{ ref('stg_salesforce__tasks') }}

),

campaign_members as (

    select * from {{ ref('stg_salesforce__campaign_members') }}

),

contact_roles as (

    select * from {{ ref('stg_salesforce__opportunity_contact_roles') }}

),

quarantined as (

    select * from {{ ref('int_records_quarantined') }}

),

stages as (

    select * from {{ ref('stage_mapping') }}

),

channels as (

    select * from {{ ref('channel_mapping') }}

),

ad_spend as (

    select
        'google_ads.campaign_stats' as source_table,
        {{ audit_record_id(['campaign_id', 'spend_date']) }} as record_id,
        spend_date,
        currency_code,
        synced_at
    from {{ ref('stg_google_ads__campaign_stats') }}
    union all
    select
        'linkedin_ads.ad_analytics_by_campaign' as source_table,
        {{ audit_record_id(['campaign_id', 'spend_date']) }} as record_id,
        spend_date,
        currency_code,
        synced_at
    from {{ ref('stg_linkedin_ads__campaign_stats') }}
    union all
    select
        'facebook_ads.basic_campaign' as source_table,
        {{ audit_record_id(['campaign_id', 'spend_date']) }} as record_id,
        spend_date,
        currency_code,
        synced_at
    from {{ ref('stg_facebook_ads__campaign_stats') }}

),

-- Free text the mapping seeds do not know (also counted in audit_unmapped_values) --------------------------

unmapped_stage_names as (

    select
        'salesforce.opportunity' as source_table,
        opportunities.opportunity_id as record_id,
        'unmapped_stage_name' as reason,
        opportunities.synced_at as detected_at,
        {{ dbt.concat(["'stage_name = '", "opportunities.stage_name"]) }} as details
    from opportunities
    left join stages
        on opportunities.stage_name = stages.raw_stage_name
    where opportunities.stage_name is not null and stages.raw_stage_name is null
    union all
    select
        'salesforce.opportunity_history' as source_table,
        opportunity_changes.opportunity_change_id as record_id,
        'unmapped_stage_name' as reason,
        opportunity_changes.synced_at as detected_at,
        {{ dbt.concat(["'stage_name = '", "opportunity_changes.stage_name"]) }} as details
    from opportunity_changes
    left join stages
        on opportunity_changes.stage_name = stages.raw_stage_name
    where opportunity_changes.stage_name is not null and stages.raw_stage_name is null

),

unmapped_lead_sources as (

    select
        'salesforce.lead' as source_table,
        leads.lead_id as record_id,
        'unmapped_lead_source' as reason,
        leads.synced_at as detected_at,
        {{ dbt.concat(["'lead_source = '", "leads.lead_source"]) }} as details
    from leads
    left join channels
        on leads.lead_source = channels.lead_source
    where leads.lead_source is not null and channels.lead_source is null
    union all
    select
        'salesforce.opportunity' as source_table,
        opportunities.opportunity_id as record_id,
        'unmapped_lead_source' as reason,
        opportunities.synced_at as detected_at,
        {{ dbt.concat(["'lead_source = '", "opportunities.lead_source"]) }} as details
    from opportunities
    left join channels
        on opportunities.lead_source = channels.lead_source
    where opportunities.lead_source is not null and channels.lead_source is null

),

-- Deals whose own fields contradict each other or the calendar ---------------------------------------------

opportunity_checks as (

    select
        'salesforce.opportunity' as source_table,
        opportunities.opportunity_id as record_id,
        'close_before_create' as reason,
        opportunities.synced_at as detected_at,
        {{ dbt.concat([
            "'close_date = '", dbt.cast('opportunities.close_date', dbt.type_string()),
            "' < created_date = '", dbt.cast('opportunities.created_at', dbt.type_string()),
        ]) }} as details
    from opportunities
    where opportunities.is_closed and opportunities.close_date < cast(opportunities.created_at as date)
    union all
    select
        'salesforce.opportunity' as source_table,
        opportunities.opportunity_id as record_id,
        'closed_after_as_of_date' as reason,
        opportunities.synced_at as detected_at,
        {{ dbt.concat([
            "'close_date = '", dbt.cast('opportunities.close_date', dbt.type_string()),
            "' > as_of_date '", dbt.cast(as_of_date(), dbt.type_string()),
        ]) }} as details
    from opportunities
    where opportunities.is_closed and opportunities.close_date > {{ as_of_date() }}
    union all
    select
        'salesforce.opportunity' as source_table,
        opportunities.opportunity_id as record_id,
        'missing_created_date' as reason,
        opportunities.synced_at as detected_at,
        'created_date = null' as details
    from opportunities
    where opportunities.created_at is null
    union all
    select
        'salesforce.opportunity' as source_table,
        opportunities.opportunity_id as record_id,
        'out_of_range' as reason,
        opportunities.synced_at as detected_at,
        {{ dbt.concat(["'probability = '", dbt.cast('opportunities.probability', dbt.type_string())]) }}
            as details
    from opportunities
    where opportunities.probability < 0 or opportunities.probability > 100
    union all
    select
        'salesforce.opportunity' as source_table,
        opportunities.opportunity_id as record_id,
        'flags_disagree_with_stage' as reason,
        opportunities.synced_at as detected_at,
        {{ dbt.concat([
            "'stage_name = '", "opportunities.stage_name",
            "', is_closed = '", "coalesce(" ~ dbt.cast('opportunities.is_closed', dbt.type_string()) ~ ", 'null')",
            "', is_won = '", "coalesce(" ~ dbt.cast('opportunities.is_won', dbt.type_string()) ~ ", 'null')",
        ]) }} as details
    from opportunities
    inner join stages
        on opportunities.stage_name = stages.raw_stage_name
    where
        stages.is_closed != coalesce(opportunities.is_closed, false)
        or stages.is_won != coalesce(opportunities.is_won, false)

),

lead_checks as (

    select
        'salesforce.lead' as source_table,
        lead_id as record_id,
        'out_of_range' as reason,
        synced_at as detected_at,
        {{ dbt.concat(["'lead_score__c = '", dbt.cast('marketing_score', dbt.type_string())]) }} as details
    from leads
    where marketing_score < 0 or marketing_score > 100
    union all
    select
        'salesforce.lead' as source_table,
        lead_id as record_id,
        'date_after_as_of_date' as reason,
        synced_at as detected_at,
        'a funnel date (mql_date__c, sql_date__c or converted_date) is after as_of_date' as details
    from leads
    where
        cast(mql_at as date) > {{ as_of_date() }}
        or cast(sql_at as date) > {{ as_of_date() }}
        or cast(converted_at as date) > {{ as_of_date() }}

),

-- Money that cannot be converted to USD on its day ---------------------------------------------------------

money as (

    select
        'salesforce.opportunity' as source_table,
        opportunity_id as record_id,
        currency_code,
        case when is_closed then close_date else {{ as_of_date() }} end as conversion_date,
        synced_at
    from opportunities
    where amount is not null
    union all
    select
        'billing.subscription' as source_table,
        subscription_id as record_id,
        currency_code,
        cast(started_at as date) as conversion_date,
        synced_at
    from subscriptions
    where mrr is not null
    union all
    select
        'finance.expenses' as source_table,
        expense_id as record_id,
        currency_code,
        expense_month as conversion_date,
        synced_at
    from expenses
    where amount is not null
    union all
    select
        ad_spend.source_table,
        ad_spend.record_id,
        ad_spend.currency_code,
        ad_spend.spend_date as conversion_date,
        ad_spend.synced_at
    from ad_spend
    left join quarantined
        on
            ad_spend.source_table = quarantined.source_table
            and ad_spend.record_id = quarantined.record_id
    where quarantined.record_id is null

),

first_rates as (

    select
        currency_code,
        min(rate_date) as first_rate_date
    from fx_rates
    group by currency_code

),

missing_fx_rates as (

    -- int_fx_rates_filled carries rates forward from a currency's first rate up to as_of_date
    select
        money.source_table,
        money.record_id,
        'missing_fx_rate' as reason,
        money.synced_at as detected_at,
        {{ dbt.concat([
            "'no '", "money.currency_code", "' rate on '",
            "coalesce(" ~ dbt.cast('money.conversion_date', dbt.type_string()) ~ ", 'null')",
        ]) }} as details
    from money
    left join first_rates
        on money.currency_code = first_rates.currency_code
    where
        money.conversion_date is null
        or money.conversion_date > {{ as_of_date() }}
        or (
            money.currency_code != 'USD'
            and (first_rates.first_rate_date is null or money.conversion_date < first_rates.first_rate_date)
        )

),

-- Dates that contradict each other or the plausible floor (docs/bad-input-catalogue.md) ---------------------

date_checks as (

    select
        'salesforce.lead' as source_table,
        lead_id as record_id,
        'inverted_dates' as reason,
        synced_at as detected_at,
        'a funnel date (mql_date__c, sql_date__c or converted_date) is before created_date' as details
    from leads
    where
        cast(mql_at as date) < cast(created_at as date)
        or cast(sql_at as date) < cast(created_at as date)
        or cast(converted_at as date) < cast(created_at as date)
    union all
    select
        'salesforce.lead' as source_table,
        lead_id as record_id,
        'date_before_floor' as reason,
        synced_at as detected_at,
        'a funnel date (mql_date__c, sql_date__c or converted_date) is before {{ var('earliest_plausible_date') }}'
            as details
    from leads
    where
        cast(mql_at as date) < cast('{{ var('earliest_plausible_date') }}' as date)
        or cast(sql_at as date) < cast('{{ var('earliest_plausible_date') }}' as date)
        or cast(converted_at as date) < cast('{{ var('earliest_plausible_date') }}' as date)
    union all
    select
        'salesforce.opportunity' as source_table,
        opportunity_id as record_id,
        'date_before_floor' as reason,
        synced_at as detected_at,
        {{ dbt.concat(["'close_date = '", dbt.cast('close_date', dbt.type_string())]) }} as details
    from opportunities
    where close_date < cast('{{ var('earliest_plausible_date') }}' as date)
    union all
    select
        'salesforce.campaign' as source_table,
        campaign_id as record_id,
        'inverted_dates' as reason,
        synced_at as detected_at,
        {{ dbt.concat([
            "'end_date = '", dbt.cast('end_date', dbt.type_string()),
            "' < start_date = '", dbt.cast('start_date', dbt.type_string()),
        ]) }} as details
    from campaigns
    where end_date < start_date
    union all
    select
        'salesforce.opportunity_history' as source_table,
        opportunity_changes.opportunity_change_id as record_id,
        'inverted_dates' as reason,
        opportunity_changes.synced_at as detected_at,
        {{ dbt.concat([
            "'created_date = '", dbt.cast('opportunity_changes.changed_at', dbt.type_string()),
            "' is before the deal''s created_date = '", dbt.cast('opportunities.created_at', dbt.type_string()),
        ]) }} as details
    from opportunity_changes
    inner join opportunities
        on opportunity_changes.opportunity_id = opportunities.opportunity_id
    where cast(opportunity_changes.changed_at as date) < cast(opportunities.created_at as date)

),

stage_sequences as (

    select
        opportunity_changes.opportunity_change_id,
        opportunity_changes.opportunity_id,
        opportunity_changes.changed_at,
        opportunity_changes.stage_name,
        opportunity_changes.synced_at,
        stages.is_closed,
        max(case when stages.is_closed then opportunity_changes.changed_at end) over (
            partition by opportunity_changes.opportunity_id
            order by opportunity_changes.changed_at, opportunity_changes.opportunity_change_id
            rows between unbounded preceding and 1 preceding
        ) as closed_before_at
    from opportunity_changes
    inner join stages
        on opportunity_changes.stage_name = stages.raw_stage_name

),

reopened_after_close as (

    -- an open stage recorded after the deal had closed: a reopened deal, or history out of order
    select
        'salesforce.opportunity_history' as source_table,
        opportunity_change_id as record_id,
        'reopened_after_close' as reason,
        synced_at as detected_at,
        {{ dbt.concat([
            "'stage_name = '", "stage_name", "' after the deal closed on '",
            dbt.cast('closed_before_at', dbt.type_string()),
        ]) }} as details
    from stage_sequences
    where not is_closed and closed_before_at is not null

),

-- Records whose copies could only be ordered without a load time -------------------------------------------

missing_load_times as (

    {%- set timed = [
        ('salesforce.lead', 'leads', 'lead_id'),
        ('salesforce.opportunity', 'opportunities', 'opportunity_id'),
        ('salesforce.opportunity_history', 'opportunity_changes', 'opportunity_change_id'),
        ('billing.subscription', 'subscriptions', 'subscription_id'),
        ('finance.expenses', 'expenses', 'expense_id'),
        ('salesforce.account', 'accounts', 'account_id'),
        ('salesforce.contact', 'contacts', 'contact_id'),
        ('salesforce.task', 'tasks', 'task_id'),
    ] %}
    {%- for source_table, relation, key in timed %}
        select
            '{{ source_table }}' as source_table,
            {{ key }} as record_id,
            'missing_load_time' as reason,
            cast(null as {{ dbt.type_timestamp() }}) as detected_at,
            'the load time is null: a copy without one loses to a copy with one' as details
        from {{ relation }}
        where synced_at is null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

-- Ids that differ only in case: one record twice, or two records (ids are case-sensitive; not merged) -------

case_variant_ids as (

    {%- set keyed = [
        ('salesforce.lead', 'leads', 'lead_id'),
        ('salesforce.opportunity', 'opportunities', 'opportunity_id'),
        ('salesforce.account', 'accounts', 'account_id'),
        ('salesforce.contact', 'contacts', 'contact_id'),
    ] %}
    {%- for source_table, relation, key in keyed %}
        select
            '{{ source_table }}' as source_table,
            {{ key }} as record_id,
            'case_variant_id' as reason,
            synced_at as detected_at,
            {{ dbt.concat(["'another id differs only in case: '", "lower(" ~ key ~ ")"]) }} as details
        from (
            select
                {{ key }},
                synced_at,
                count(*) over (partition by lower({{ key }})) as spellings
            from {{ relation }}
        ) as spelled
        where spellings > 1
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

stale_fx_rates as (

    -- a known currency whose last rate is older than fx_max_carry_forward_days on the money's day
    select
        money.source_table,
        money.record_id,
        'stale_fx_rate' as reason,
        money.synced_at as detected_at,
        {{ dbt.concat([
            "'the latest '", "money.currency_code", "' rate on '",
            dbt.cast('money.conversion_date', dbt.type_string()), "' is from '",
            dbt.cast('filled_fx_rates.rate_observed_date', dbt.type_string()),
            "' (more than " ~ var('fx_max_carry_forward_days') ~ " days, var fx_max_carry_forward_days)'",
        ]) }} as details
    from money
    inner join filled_fx_rates
        on
            money.currency_code = filled_fx_rates.currency_code
            and money.conversion_date = filled_fx_rates.date_day
    where filled_fx_rates.rate_to_usd is null

),

-- References to records that are missing, soft-deleted or quarantined ---------------------------------------

raw_ids as (

    -- every id in a raw parent table (any load, soft-deleted ones included), from the one pass over the raw rows
    select
        source_table,
        record_id as parent_id
    from {{ ref('int_raw_records_counted') }}
    where
        source_table in (
            'salesforce.account', 'salesforce.contact', 'salesforce.campaign', 'salesforce.opportunity', 'salesforce.lead'
        )

),

parents as (

    -- every id a reference may point to, with its state: live, quarantined (live but held out of the
    -- marts) or soft_deleted (in the raw table, not staged: staging drops only older loads and soft deletes)
    select
        'account' as parent_type,
        raw_ids.parent_id,
        case when accounts.account_id is null then 'soft_deleted' else 'live' end as parent_state
    from raw_ids
    left join accounts
        on raw_ids.parent_id = accounts.account_id
    where raw_ids.source_table = 'salesforce.account'
    union all
    select
        'contact' as parent_type,
        raw_ids.parent_id,
        case when contacts.contact_id is null then 'soft_deleted' else 'live' end as parent_state
    from raw_ids
    left join contacts
        on raw_ids.parent_id = contacts.contact_id
    where raw_ids.source_table = 'salesforce.contact'
    union all
    select
        'campaign' as parent_type,
        raw_ids.parent_id,
        case when campaigns.campaign_id is null then 'soft_deleted' else 'live' end as parent_state
    from raw_ids
    left join campaigns
        on raw_ids.parent_id = campaigns.campaign_id
    where raw_ids.source_table = 'salesforce.campaign'
    union all
    select
        'user' as parent_type,
        user_id as parent_id,
        'live' as parent_state
    from users
    union all
    select
        'opportunity' as parent_type,
        raw_ids.parent_id,
        case
            when staged_opportunities.opportunity_id is null then 'soft_deleted'
            when opportunities.opportunity_id is null then 'quarantined'
            else 'live'
        end as parent_state
    from raw_ids
    left join staged_opportunities
        on raw_ids.parent_id = staged_opportunities.opportunity_id
    left join opportunities
        on raw_ids.parent_id = opportunities.opportunity_id
    where raw_ids.source_table = 'salesforce.opportunity'
    union all
    select
        'lead' as parent_type,
        raw_ids.parent_id,
        case
            when staged_leads.lead_id is null then 'soft_deleted'
            when leads.lead_id is null then 'quarantined'
            else 'live'
        end as parent_state
    from raw_ids
    left join staged_leads
        on raw_ids.parent_id = staged_leads.lead_id
    left join leads
        on raw_ids.parent_id = leads.lead_id
    where raw_ids.source_table = 'salesforce.lead'

),

typed_parents as (

    -- a task's who_id names a lead or a contact
    select
        parent_type,
        parent_id,
        parent_state
    from parents
    union all
    select
        'lead_or_contact' as parent_type,
        parent_id,
        parent_state
    from parents
    where parent_type in ('lead', 'contact')

),

foreign_keys as (

    {{ foreign_key_references('salesforce.opportunity', 'opportunities', 'opportunity_id', [
        ('account_id', 'account_id', 'account'),
        ('owner_id', 'owner_id', 'user'),
        ('campaign_id', 'campaign_id', 'campaign'),
    ]) }}
    union all
    {{ foreign_key_references('salesforce.lead', 'leads', 'lead_id', [
        ('converted_opportunity_id', 'converted_opportunity_id', 'opportunity'),
        ('converted_account_id', 'converted_account_id', 'account'),
        ('converted_contact_id', 'converted_contact_id', 'contact'),
        ('owner_id', 'owner_id', 'user'),
    ]) }}
    union all
    {{ foreign_key_references('billing.subscription', 'subscriptions', 'subscription_id', [
        ('account_id', 'account_id', 'account'),
    ]) }}
    union all
    {{ foreign_key_references('salesforce.account', 'accounts', 'account_id', [
        ('owner_id', 'owner_id', 'user'),
    ]) }}
    union all
    {{ foreign_key_references('salesforce.contact', 'contacts', 'contact_id', [
        ('account_id', 'account_id', 'account'),
    ]) }}
    union all
    {{ foreign_key_references('salesforce.task', 'tasks', 'task_id', [
        ('who_id', 'who_id', 'lead_or_contact'),
        ('what_id', 'what_id', 'opportunity'),
        ('owner_id', 'owner_id', 'user'),
    ]) }}
    union all
    {{ foreign_key_references('salesforce.campaign_member', 'campaign_members', 'campaign_member_id', [
        ('campaign_id', 'campaign_id', 'campaign'),
        ('lead_id', 'lead_id', 'lead'),
        ('contact_id', 'contact_id', 'contact'),
    ]) }}
    union all
    {{ foreign_key_references('salesforce.opportunity_contact_role', 'contact_roles', 'opportunity_contact_role_id', [
        ('opportunity_id', 'opportunity_id', 'opportunity'),
        ('contact_id', 'contact_id', 'contact'),
    ]) }}

),

broken_foreign_keys as (

    select
        foreign_keys.source_table,
        foreign_keys.record_id,
        case typed_parents.parent_state
            when 'soft_deleted' then 'parent_soft_deleted'
            when 'quarantined' then 'parent_quarantined'
            else 'orphan_foreign_key'
        end as reason,
        foreign_keys.synced_at as detected_at,
        {{ dbt.concat(["foreign_keys.column_name", "' = '", "foreign_keys.parent_id"]) }} as details
    from foreign_keys
    left join typed_parents
        on
            foreign_keys.parent_type = typed_parents.parent_type
            and foreign_keys.parent_id = typed_parents.parent_id
    where
        (typed_parents.parent_state is null or typed_parents.parent_state != 'live')
        -- a reference into a table that did not land is unknown, not broken
        and foreign_keys.parent_type not in ('{{ (unlanded_parents or ["(every table landed)"]) | join("', '") }}')

),

-- Conflicting copies at the latest load in the tables without a quarantine (staging keeps one of them) ------

conflicting_duplicates as (

    {{ conflicting_duplicate_records([
        'salesforce.account', 'salesforce.user', 'salesforce.contact', 'salesforce.opportunity_contact_role',
        'salesforce.task', 'salesforce.campaign', 'salesforce.campaign_member', 'salesforce.opportunity_stage',
    ], 'two or more different rows share the id and the latest load; staging kept one') }}

),

unioned as (

    select * from unmapped_stage_names
    union all
    select * from unmapped_lead_sources
    union all
    select * from opportunity_checks
    union all
    select * from lead_checks
    union all
    select * from missing_fx_rates
    union all
    select * from stale_fx_rates
    union all
    select * from date_checks
    union all
    select * from reopened_after_close
    union all
    select * from missing_load_times
    union all
    select * from case_variant_ids
    union all
    select * from broken_foreign_keys
    union all
    select * from conflicting_duplicates

),

final as (

    -- one row per record and reason (a lead may have two broken foreign keys, say)
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
