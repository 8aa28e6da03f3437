{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy='delete+insert'
    )
}}

with payments as (
    select order_id, sum(amount) as amount
    from {{ ref('stg_payments') }}
    group by 1
)

select
    o.order_id,
    o.customer_id,
    o.order_date,
    o.status,
    coalesce(p.amount, 0) as amount
from {{ ref('stg_orders') }} as o
left join payments as p using (order_id)
{% if is_incremental() %}
where o.order_date > (select max(order_date) from {{ this }})
{% endif %}
