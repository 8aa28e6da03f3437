{%- set methods = payment_methods() -%}
select
    id as payment_id,
    order_id,
    payment_method,
    {{ cents_to_dollars('amount') }} as amount,
    case
    {%- for method in methods %}
        when payment_method = '{{ method }}' then {{ loop.index }}
    {%- endfor %}
        else 0
    end as method_rank
from {{ ref('raw_payments') }}
where {{ amount_filter('amount') }}
