-- revenue by status, in {{ target.name }} ({{ target.type }})
select
    status,
    sum(amount) as revenue
from {{ ref('orders') }}
{% if var('only_completed', false) %}
where status = 'completed'
{% endif %}
group by status
