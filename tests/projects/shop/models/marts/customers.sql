with orders as (
    select customer_id, count(*) as order_count, sum(amount) as lifetime_value
    from {{ ref('orders') }}
    group by 1
)

select
    c.customer_id,
    c.first_name,
    c.last_name,
    coalesce(o.order_count, 0) as order_count,
    coalesce(o.lifetime_value, 0) as lifetime_value
from {{ ref('stg_customers') }} as c
left join orders as o using (customer_id)
