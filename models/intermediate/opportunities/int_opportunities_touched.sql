-- One row per opportunity that sales worked: the tasks users of a sales department (var sales_departments)
-- logged on the deal (the task's what_id). The rep effort per deal that rpt_icp_performance reads; the effort
-- per lead is int_leads_touched.
with

tasks as (

    select * from {{ ref('stg_salesforce__tasks') }}

),

users as (

    select * from {{ ref('stg_salesforce__users') }}

),

sales_tasks as (

    select
        tasks.task_id,
        tasks.what_id as opportunity_id,
        tasks.created_at
    from tasks
    inner join users
        on tasks.owner_id = users.user_id
    where
        tasks.what_id is not null
        and users.department in ('{{ var("sales_departments") | join("', '") }}')

),

final as (

    select
        opportunity_id,
        count(*) as sales_task_count,
        min(created_at) as first_task_at,
        max(created_at) as last_task_at
    from sales_tasks
    group by opportunity_id

)

select * from final
