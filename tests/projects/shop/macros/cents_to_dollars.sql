{% macro cents_to_dollars(column_name, scale=2) -%}
    ({{ column_name }} / 100)::numeric(16, {{ scale }})
{%- endmacro %}

{% macro amount_filter(column_name) -%}
    {{ column_name }} >= {{ var('min_amount') }}
{%- endmacro %}

{% macro payment_methods() %}
    {{ return(['credit_card', 'coupon', 'bank_transfer', 'gift_card']) }}
{% endmacro %}
