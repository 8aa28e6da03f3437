#include "template/relation.h"

#include <utility>
#include <vector>

#include "template/template_error.h"

namespace dvt::jinja {

namespace {

const char* type_name(Relation::Type type) {
  switch (type) {
    case Relation::Type::kTable:
      return "table";
    case Relation::Type::kView:
      return "view";
    case Relation::Type::kCte:
      return "cte";
    case Relation::Type::kNone:
      break;
  }
  return nullptr;
}

// A keyword given as true/false, or `fallback` when absent or none.
bool flag(const Arguments& arguments, std::string_view name, bool fallback) {
  const Value* value = arguments.keyword(name);
  if (value == nullptr || value->is_null()) return fallback;
  return value->as_bool();
}

}  // namespace

Relation::Relation(RelationParts parts, std::shared_ptr<const RelationStyle> style, Type type)
    : parts_(std::move(parts)), style_(std::move(style)), type_(type) {}

std::shared_ptr<Relation> Relation::cte(const std::string& model_name,
                                        std::shared_ptr<const RelationStyle> style) {
  return std::make_shared<Relation>(RelationParts{"", "", "__dbt__cte__" + model_name},
                                    std::move(style), Type::kCte);
}

std::optional<Value> Relation::attribute(std::string_view name) const {
  auto or_none = [](const std::string& part) { return part.empty() ? Value() : Value(part); };
  if (name == "database") return or_none(parts_.database);
  if (name == "schema") return or_none(parts_.schema);
  if (name == "identifier" || name == "name" || name == "table") return or_none(parts_.identifier);
  if (name == "type") {
    const char* type = type_name(type_);
    return type ? Value(type) : Value();
  }
  if (name == "is_table") return Value(type_ == Type::kTable);
  if (name == "is_view") return Value(type_ == Type::kView);
  if (name == "is_cte") return Value(type_ == Type::kCte);
  if (name == "path") {
    return Value::map({{"database", or_none(parts_.database)},
                       {"schema", or_none(parts_.schema)},
                       {"identifier", or_none(parts_.identifier)}});
  }
  if (name == "quote_policy") {
    return Value::map({{"database", style_->quote_database},
                       {"schema", style_->quote_schema},
                       {"identifier", style_->quote_identifier}});
  }
  return std::nullopt;
}

Value Relation::call_method(std::string_view name, const Arguments& arguments) const {
  if (name == "render") return Value(str());
  if (name == "include") {
    auto copy = std::make_shared<Relation>(*this);
    copy->show_database_ = flag(arguments, "database", show_database_);
    copy->show_schema_ = flag(arguments, "schema", show_schema_);
    copy->show_identifier_ = flag(arguments, "identifier", show_identifier_);
    return Value(std::shared_ptr<HostObject>(copy));
  }
  if (name == "quote") {
    auto style = std::make_shared<RelationStyle>(*style_);
    style->quote_database = flag(arguments, "database", style->quote_database);
    style->quote_schema = flag(arguments, "schema", style->quote_schema);
    style->quote_identifier = flag(arguments, "identifier", style->quote_identifier);
    auto copy = std::make_shared<Relation>(*this);
    copy->style_ = std::move(style);
    return Value(std::shared_ptr<HostObject>(copy));
  }
  if (name == "replace_path" || name == "incorporate") {
    auto copy = std::make_shared<Relation>(*this);
    const Value* path = name == "incorporate" ? arguments.keyword("path") : nullptr;
    auto take = [&](std::string_view key, std::string& part) {
      const Value* value = path ? path->find(key) : arguments.keyword(key);
      if (value != nullptr) part = value->is_null() ? "" : value->as_string();
    };
    take("database", copy->parts_.database);
    take("schema", copy->parts_.schema);
    take("identifier", copy->parts_.identifier);
    if (const Value* type = arguments.keyword("type"); type && type->is_string()) {
      const std::string& text = type->as_string();
      copy->type_ = text == "table"  ? Type::kTable
                    : text == "view" ? Type::kView
                    : text == "cte"  ? Type::kCte
                                     : Type::kNone;
    }
    return Value(std::shared_ptr<HostObject>(copy));
  }
  return HostObject::call_method(name, arguments);
}

std::string Relation::str() const {
  if (type_ == Type::kCte) return parts_.identifier;
  const Dialect& dialect = *style_->dialect;
  std::vector<std::string> pieces;
  auto add = [&](const std::string& part, bool shown, bool quoted) {
    if (!shown || part.empty()) return;
    pieces.push_back(quoted ? dialect.quote(part) : part);
  };
  add(parts_.database, show_database_ && style_->include_database, style_->quote_database);
  add(parts_.schema, show_schema_, style_->quote_schema);
  add(parts_.identifier, show_identifier_, style_->quote_identifier);
  std::string out;
  for (const auto& piece : pieces) {
    if (!out.empty()) out += '.';
    out += piece;
  }
  return out;
}

}  // namespace dvt::jinja
