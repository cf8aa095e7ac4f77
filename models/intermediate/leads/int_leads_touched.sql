-- One row per lead that sales touched: the first sales touch (a task logged by a user of a sales
-- department on the lead) at or after the moment the lead became workable (its MQL, or its creation
-- when it skipped MQL), and how much rep effort the lead received.
{%- set sales_departments = "'" ~ var('sales_departments') | join("', '") ~ "'" %}

with

leads as (

    select * from {{ ref('int_leads_validated') }}

),

tasks as (

    select * from {{ ref('stg_salesforce__tasks') }}

),

users as (

    select * from {{ ref('stg_salesforce__users') }}

),

sales_tasks as (

    select
        tasks.task_id,
        tasks.who_id as lead_id,
        tasks.created_at as touched_at
    from tasks
    inner join users
        on tasks.owner_id = users.user_id
    where users.department in ({{ sales_departments }})

),

lead_tasks as (

    select
        leads.lead_id,
        coalesce(leads.mql_at, leads.created_at) as workable_at,
        sales_tasks.touched_at
    from leads
    inner join sales_tasks
        on leads.lead_id = sales_tasks.lead_id

),

final as (

    select
        lead_id,
        min(case when touched_at >= workable_at then touched_at end) as first_response_at,
        count(*) as sales_touch_count
    from lead_tasks
    group by lead_id

)

select * from final
