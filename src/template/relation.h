// dbt's Relation as templates see it: what ref(), source() and `this` return.
// It prints as the quoted, qualified name in its own database's dialect
// ("dev"."main"."orders" in DuckDB, `shop`.`orders` in MySQL) and has dbt's
// attributes (database, schema, identifier, name, table, type) and methods
// (render, include, quote, incorporate, replace_path).
#pragma once

#include <memory>
#include <string>

#include "connectors/dialect.h"
#include "template/host_object.h"

namespace dvt::jinja {

// How a database family writes a relation's name.
struct RelationStyle {
  const Dialect* dialect = nullptr;  // quotes each part; REQUIRED
  bool include_database = true;      // families whose names have a database part
  // dbt's quoting config: which parts are quoted.
  bool quote_database = true;
  bool quote_schema = true;
  bool quote_identifier = true;
};

struct RelationParts {
  std::string database;
  std::string schema;
  std::string identifier;
};

class Relation : public HostObject {
 public:
  // dbt's relation types; kCte is an ephemeral model, which prints as its
  // CTE name (`__dbt__cte__<name>`, unquoted).
  enum class Type { kNone, kTable, kView, kCte };

  Relation(RelationParts parts, std::shared_ptr<const RelationStyle> style,
           Type type = Type::kNone);

  // The CTE an ephemeral model becomes: prints `__dbt__cte__<name>`.
  static std::shared_ptr<Relation> cte(const std::string& model_name,
                                       std::shared_ptr<const RelationStyle> style);

  const RelationParts& parts() const { return parts_; }
  Type type() const { return type_; }

  std::optional<Value> attribute(std::string_view name) const override;
  Value call_method(std::string_view name, const Arguments& arguments) const override;
  std::string str() const override;

 private:
  RelationParts parts_;
  std::shared_ptr<const RelationStyle> style_;
  Type type_;
  // Parts include() left out of the printed name.
  bool show_database_ = true;
  bool show_schema_ = true;
  bool show_identifier_ = true;
};

}  // namespace dvt::jinja
