// Compiles and renders a generated project of N model templates (default 500)
// the way dbt's compile does: each model calls ref() three times, source()
// once, config() with keywords and a project macro through a C++ function
// (dbt's way of calling macros, which catches return()), all C++ callbacks.
// Prints the time to compile (add every template) and to render them all.
//
//   build/bench/template_compile [models]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "template/environment.h"

namespace {

using dvt::jinja::Arguments;
using dvt::jinja::Environment;
using dvt::jinja::HostObject;
using dvt::jinja::Value;

class Relation : public HostObject {
 public:
  Relation(std::string schema, std::string identifier)
      : schema_(std::move(schema)), identifier_(std::move(identifier)) {}
  std::optional<Value> attribute(std::string_view name) const override {
    if (name == "schema") return Value(schema_);
    if (name == "identifier") return Value(identifier_);
    return std::nullopt;
  }
  std::string str() const override { return "\"" + schema_ + "\".\"" + identifier_ + "\""; }

 private:
  std::string schema_, identifier_;
};

std::string model_source(int index) {
  std::string up1 = "model_" + std::to_string(index / 2);
  std::string up2 = "model_" + std::to_string(index / 3);
  return "{{ config(materialized='table', tags=['nightly', 'finance'], unique_key='id') }}\n"
         "with orders as (select * from {{ ref('" +
         up1 +
         "') }}),\n"
         "customers as (select * from {{ ref('" +
         up2 +
         "') }}),\n"
         "raw as (select * from {{ source('shop', 'payments') }})\n"
         "select\n"
         "  {% for c in ['id', 'customer_id', 'status'] %}o.{{ c }},\n  {% endfor %}"
         "{{ cents_to_dollars('p.amount') }} as amount\n"
         "from orders o\n"
         "join customers c on c.id = o.customer_id\n"
         "join raw p on p.order_id = o.id\n"
         "{% if var('since', none) is not none %}where o.created_at >= '{{ var('since') }}'"
         "{% endif %}\n"
         "-- {{ ref('model_0').identifier }}\n";
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int models = argc > 1 ? std::atoi(argv[1]) : 500;
  auto start = std::chrono::steady_clock::now();
  Environment env;
  env.add_function("ref", [](const Arguments& arguments) {
    return Value(std::make_shared<Relation>("analytics", arguments.positional.back().as_string()));
  });
  env.add_function("source", [](const Arguments& arguments) {
    return Value(std::make_shared<Relation>(arguments.positional.at(0).as_string(),
                                            arguments.positional.at(1).as_string()));
  });
  env.add_function("config", [](const Arguments&) { return Value(""); });
  env.add_function("var", [](const Arguments& arguments) {
    const Value* fallback = arguments.get(1, "default");
    return fallback ? *fallback : Value();
  });
  env.add_template("macros/cents_to_dollars.sql",
                   "{% macro cents_to_dollars(column, scale=2) %}({{ column }} / 100)::numeric(16, "
                   "{{ scale }}){% endmacro %}");
  env.add_function("cents_to_dollars", [&env](const Arguments& arguments) {
    return env.call_macro("macros/cents_to_dollars.sql", "cents_to_dollars", arguments.positional,
                          arguments.keywords);
  });
  for (int i = 0; i < models; ++i) {
    env.add_template("models/model_" + std::to_string(i) + ".sql", model_source(i));
  }
  double compiled = seconds_since(start);
  auto render_start = std::chrono::steady_clock::now();
  size_t bytes = 0;
  for (int i = 0; i < models; ++i) {
    bytes += env.render("models/model_" + std::to_string(i) + ".sql",
                        {{"this", Value("model_" + std::to_string(i))}})
                 .size();
  }
  double rendered = seconds_since(render_start);
  std::printf("%d models: compile %.1f ms, render %.1f ms (%zu bytes), total %.1f ms\n", models,
              compiled * 1000, rendered * 1000, bytes, (compiled + rendered) * 1000);
  return 0;
}
