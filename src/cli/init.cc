// dvt init NAME: a starter project in ./NAME that builds on the embedded
// default (a DuckDB file next to it), with a profiles.yml of its own: a seed,
// a staging view, a table, an incremental model and their tests, so that
// `cd NAME && dvt build` runs a real project with no server.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "cli/command.h"
#include "core/error.h"
#include "core/log.h"

namespace dvt {

namespace {

namespace fs = std::filesystem;

bool valid_name(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw DataError(fmt::format("{}: cannot write it", path.string()));
}

class InitCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command =
        app.add_subcommand("init", "Create a starter project that builds on DuckDB, no server");
    command->add_option("name", name_, "Project name (letters, digits, underscores)")->required();
    return command;
  }

  int run(const GlobalOptions& /*global*/) override {
    if (!valid_name(name_)) {
      throw ConfigError(fmt::format(
          "project name '{}' is not a valid name: letters, digits and underscores, not starting "
          "with a digit",
          name_));
    }
    const fs::path dir = name_;
    if (fs::exists(dir)) throw ConfigError(fmt::format("{} already exists", dir.string()));
    write_file(dir / "dbt_project.yml", fmt::format(R"(name: {0}
version: "1.0.0"
profile: {0}

model-paths: ["models"]
seed-paths: ["seeds"]
macro-paths: ["macros"]
test-paths: ["tests"]

models:
  {0}:
    staging:
      +materialized: view
    marts:
      +materialized: table
)",
                                                    name_));
    write_file(dir / "profiles.yml", fmt::format(R"({0}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{{{ env_var('DVT_DUCKDB_PATH', '{0}.duckdb') }}}}"
      threads: 2
)",
                                                 name_));
    write_file(dir / "seeds" / "raw_orders.csv", R"(id,customer,ordered_at,amount,status
1,ada,2024-01-03,12.50,shipped
2,grace,2024-01-04,8.00,shipped
3,ada,2024-01-09,30.25,returned
4,linus,2024-02-01,5.75,placed
5,grace,2024-02-11,19.99,shipped
)");
    write_file(dir / "models" / "staging" / "stg_orders.sql", R"(select
    id as order_id,
    customer,
    cast(ordered_at as date) as ordered_at,
    amount,
    status
from {{ ref('raw_orders') }}
)");
    write_file(dir / "models" / "marts" / "customers.sql", R"(select
    customer,
    count(*) as orders,
    sum(amount) as total_amount,
    min(ordered_at) as first_order
from {{ ref('stg_orders') }}
where status != 'returned'
group by customer
)");
    write_file(dir / "models" / "marts" / "daily_orders.sql",
               R"({{ config(materialized='incremental', unique_key='ordered_at') }}

select ordered_at, count(*) as orders, sum(amount) as amount
from {{ ref('stg_orders') }}
{% if is_incremental() %}
where ordered_at >= (select max(ordered_at) from {{ this }})
{% endif %}
group by ordered_at
)");
    write_file(dir / "models" / "schema.yml", R"(version: 2
models:
  - name: stg_orders
    columns:
      - name: order_id
        data_tests: [unique, not_null]
      - name: status
        data_tests:
          - accepted_values:
              values: ["placed", "shipped", "returned"]
  - name: customers
    columns:
      - name: customer
        data_tests: [unique, not_null]
  - name: daily_orders
    columns:
      - name: ordered_at
        data_tests: [unique]
)");
    write_file(dir / "tests" / "assert_amounts_positive.sql",
               R"(-- Singular test: the rows returned are failures.
select * from {{ ref('stg_orders') }} where amount <= 0
)");
    write_file(dir / ".gitignore", "target/\n*.duckdb\n*.duckdb.wal\n");
    if (Logger::instance().format() == LogFormat::kJson) {
      Logger::instance().result({{"status", "success"}, {"command", "init"}, {"project", name_}});
      return 0;
    }
    std::printf(
        "Created project %s in ./%s (DuckDB file %s.duckdb, profile in its profiles.yml).\n"
        "Next: cd %s && dvt build\n",
        name_.c_str(), name_.c_str(), name_.c_str(), name_.c_str());
    return 0;
  }

 private:
  std::string name_;
};

}  // namespace

std::unique_ptr<Command> make_init_command() {
  return std::make_unique<InitCommand>();
}

}  // namespace dvt
