#include "project/node_context.h"

#include <algorithm>

#include <fmt/format.h>

#include "project/manifest.h"
#include "template/adapter_object.h"
#include "template/config_object.h"
#include "template/macro_call.h"
#include "template/relation.h"
#include "template/template_error.h"
#include "template/value_convert.h"

namespace dvt {

using jinja::Arguments;
using jinja::FunctionObject;
using jinja::TemplateError;
using jinja::Value;

namespace {

std::shared_ptr<jinja::HostObject> function(std::string name, jinja::Function body) {
  return std::make_shared<FunctionObject>(std::move(name), std::move(body));
}

// ref('name'), ref('package', 'name'), ref('name', version=...).
RefCall ref_arguments(const Arguments& arguments) {
  auto text = [](const Value& value) {
    if (!value.is_string()) {
      throw TemplateError(fmt::format("ref() takes model names, got a {}", value.kind_name()),
                          TemplateError::Reason::kInvalid);
    }
    return value.as_string();
  };
  for (const char* key : {"version", "v"}) {
    const Value* version = arguments.keyword(key);
    if (version != nullptr && !version->is_null()) {
      throw TemplateError("ref() with a model version is not supported",
                          TemplateError::Reason::kInvalid);
    }
  }
  RefCall call;
  if (arguments.positional.size() == 1) {
    call.name = text(arguments.positional[0]);
  } else if (arguments.positional.size() == 2) {
    call.package = text(arguments.positional[0]);
    call.name = text(arguments.positional[1]);
  } else {
    throw TemplateError(
        fmt::format("ref() takes one or two arguments, got {}", arguments.positional.size()),
        TemplateError::Reason::kInvalid);
  }
  return call;
}

SourceCall source_arguments(const Arguments& arguments) {
  const Value* source = arguments.get(0, "source_name");
  const Value* table = arguments.get(1, "table_name");
  if (source == nullptr || table == nullptr || !source->is_string() || !table->is_string()) {
    throw TemplateError("source() takes a source name and a table name",
                        TemplateError::Reason::kInvalid);
  }
  return {source->as_string(), table->as_string()};
}

std::string ref_text(const RefCall& call) {
  return call.package.empty() ? fmt::format("ref('{}')", call.name)
                              : fmt::format("ref('{}', '{}')", call.package, call.name);
}

// api.Relation.create(database=, schema=, identifier=, type=) in a dialect.
class Api : public jinja::HostObject {
 public:
  explicit Api(std::shared_ptr<const jinja::RelationStyle> style) : style_(std::move(style)) {}
  std::optional<Value> attribute(std::string_view name) const override {
    if (name == "Relation") return Value(std::make_shared<Api>(style_));
    return std::nullopt;
  }
  Value call_method(std::string_view name, const Arguments& arguments) const override {
    if (name != "create") return HostObject::call_method(name, arguments);
    auto part = [&](const char* key) {
      const Value* value = arguments.keyword(key);
      return value && value->is_string() ? value->as_string() : std::string();
    };
    jinja::Relation::Type type = jinja::Relation::Type::kNone;
    std::string kind = part("type");
    if (kind == "table") type = jinja::Relation::Type::kTable;
    if (kind == "view") type = jinja::Relation::Type::kView;
    return Value(std::make_shared<jinja::Relation>(
        jinja::RelationParts{part("database"), part("schema"), part("identifier")}, style_, type));
  }
  std::string str() const override { return "<api>"; }

 private:
  std::shared_ptr<const jinja::RelationStyle> style_;
};

}  // namespace

void rethrow_in_file_lines(const TemplateError& error, const Node& node) {
  if (node.raw_code_line > 1 && error.template_name() == node.original_file_path &&
      error.line() > 0) {
    throw TemplateError(error.reason(), error.reason_kind(), error.template_name(),
                        error.line() + node.raw_code_line - 1);
  }
  throw error;
}

Value NodeContext::relation_of(const Node& node) const {
  const Target& target = project_.target(node.output);
  if (node.is_ephemeral()) return Value(jinja::Relation::cte(node.name, target.relation_style));
  jinja::Relation::Type type = jinja::Relation::Type::kNone;
  if (node.resource_type == ResourceType::kModel || node.resource_type == ResourceType::kSeed) {
    type = node.config.materialized() == "view" ? jinja::Relation::Type::kView
                                                : jinja::Relation::Type::kTable;
  }
  return Value(std::make_shared<jinja::Relation>(
      jinja::RelationParts{node.relation.database, node.relation.schema, node.relation.identifier},
      target.relation_style, type));
}

Value NodeContext::node_value(const Node& node) const {
  return jinja::value_from_json(node_to_json(project_, node));
}

void NodeContext::add_common(Value::Map& context, const Node& node, const Target& target) const {
  const Project& project = project_;
  context.emplace_back("target", target.to_value());
  context.emplace_back("database", target.database.empty() ? Value() : Value(target.database));
  context.emplace_back("schema", target.schema);
  context.emplace_back(
      "adapter",
      Value(std::make_shared<jinja::AdapterObject>(
          target.type, target.dialect,
          [&project](const std::string& type, const std::string& name, const std::string& space) {
            return project.macros().dispatch(type, name, space);
          })));
  context.emplace_back("api", Value(std::make_shared<Api>(target.relation_style)));
  std::string node_name = node.name;
  context.emplace_back(
      "var", Value(function("var", [&project, node_name](const Arguments& arguments) {
        const Value* name = arguments.get(0, "name");
        if (name == nullptr || !name->is_string()) {
          throw TemplateError("var() needs a variable name", TemplateError::Reason::kInvalid);
        }
        for (const auto& [key, value] : project.vars()) {
          if (key == name->as_string()) return value;
        }
        if (const Value* fallback = arguments.get(1, "default")) return *fallback;
        throw TemplateError(
            fmt::format("required var '{}' not found (in {}): set it in dbt_project.yml's "
                        "vars or pass --vars",
                        name->as_string(), node_name));
      })));
}

Value::Map NodeContext::parse(const Node& node, const std::string& output,
                              ParseRecord& record) const {
  const Target& target = project_.target(output);
  Value::Map context;
  add_common(context, node, target);
  context.emplace_back("execute", false);
  const Project& project = project_;
  auto placeholder = [&target](const std::string& name) {
    return Value(std::make_shared<jinja::Relation>(
        jinja::RelationParts{target.database, target.schema, name}, target.relation_style));
  };
  context.emplace_back("ref", Value(function("ref", [&record, placeholder](const Arguments& a) {
                         RefCall call = ref_arguments(a);
                         record.refs.push_back(call);
                         return placeholder(call.name);
                       })));
  context.emplace_back(
      "source",
      Value(function("source", [this, &project, &record, placeholder](const Arguments& a) {
        SourceCall call = source_arguments(a);
        record.sources.push_back(call);
        if (const Node* source = project.find_source(call.source, call.table)) {
          return relation_of(*source);
        }
        return placeholder(call.table);
      })));
  Value::Map known = jinja::value_from_json(node.config.json()).as_map();
  context.emplace_back("config",
                       Value(jinja::ConfigObject::recording(
                           [&record](const Value::Map& keywords) {
                             record.config_calls.push_back(jinja::value_to_json(Value(keywords)));
                           },
                           std::move(known))));
  context.emplace_back("is_incremental", Value(function("is_incremental", [](const Arguments&) {
                         if (auto* scope = jinja::RenderScope::current()) {
                           scope->record_call("macro.dbt.is_incremental");
                         }
                         return Value(false);
                       })));
  context.emplace_back(
      "this", placeholder(node.relation.identifier.empty() ? node.name : node.relation.identifier));
  context.emplace_back("model", node_value(node));
  return context;
}

Value::Map NodeContext::render(const Node& node, const RenderFacts& facts,
                               CompileRecord& record) const {
  const Target& target = project_.target(node.output);
  Value::Map context;
  add_common(context, node, target);
  context.emplace_back("execute", true);
  const Project& project = project_;
  std::string where = node.original_file_path;
  context.emplace_back(
      "ref", Value(function("ref", [this, &project, &record, where](const Arguments& a) {
        RefCall call = ref_arguments(a);
        const Node* found = project.find_ref(call.package, call.name);
        if (found == nullptr) {
          throw TemplateError(fmt::format("{}: no model or seed named '{}' in this project",
                                          ref_text(call), call.name));
        }
        if (found->is_ephemeral()) {
          auto& list = record.ephemerals;
          if (std::find(list.begin(), list.end(), found->unique_id) == list.end()) {
            list.push_back(found->unique_id);
          }
        }
        return relation_of(*found);
      })));
  context.emplace_back(
      "source", Value(function("source", [this, &project](const Arguments& a) {
        SourceCall call = source_arguments(a);
        const Node* found = project.find_source(call.source, call.table);
        if (found == nullptr) {
          throw TemplateError(fmt::format(
              "source('{}', '{}') is not defined in any properties file", call.source, call.table));
        }
        return relation_of(*found);
      })));
  context.emplace_back(
      "config",
      Value(jinja::ConfigObject::resolved(jinja::value_from_json(node.config.json()).as_map())));
  bool incremental = facts.is_incremental && node.config.materialized() == "incremental";
  context.emplace_back("is_incremental",
                       Value(function("is_incremental", [incremental](const Arguments&) {
                         if (auto* scope = jinja::RenderScope::current()) {
                           scope->record_call("macro.dbt.is_incremental");
                         }
                         return Value(incremental);
                       })));
  context.emplace_back("this", relation_of(node));
  context.emplace_back("model", node_value(node));
  return context;
}

}  // namespace dvt
