-- Grain: one row per live account: its key and the org's own salesforce.account columns listed in var
-- passthrough_columns (only the key until some are listed). The columns are the org's, so this model has no
-- enforced contract; join it to the mart on account_id.
with

accounts as (

    select * from {{ ref('int_accounts_validated') }}

),

final as (

    select
        {{ passthrough_select('salesforce.account', 'accounts.') }}accounts.account_id
    from accounts

)

select * from final
