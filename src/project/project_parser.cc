// Project::load: reads a project's files into nodes, as dbt's parser does.
#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/log.h"
#include "project/generic_test.h"
#include "project/node_context.h"
#include "project/profiles.h"
#include "project/project.h"
#include "project/schema_file.h"
#include "template/dbt_builtins.h"
#include "template/macro_call.h"
#include "template/python_text.h"
#include "template/value_convert.h"

namespace dvt {

namespace fs = std::filesystem;
using jinja::Value;

namespace {

std::string read_text(const fs::path& path, const std::string& display) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot read the file", display));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Files under `dir` (recursively) whose names end in one of `extensions`,
// sorted by path.
std::vector<fs::path> files_under(const fs::path& dir,
                                  std::initializer_list<const char*> extensions) {
  std::vector<fs::path> files;
  std::error_code error;
  if (!fs::is_directory(dir, error)) return files;
  for (auto it = fs::recursive_directory_iterator(dir, error);
       it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) break;
    if (!it->is_regular_file()) continue;
    std::string ext = it->path().extension().string();
    for (const char* wanted : extensions) {
      if (ext == wanted) files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string relative_path(const fs::path& path, const fs::path& base) {
  return path.lexically_relative(base).generic_string();
}

// The folders of `relative_path` (without its file name).
std::vector<std::string> folders_of(const std::string& relative_path) {
  std::vector<std::string> parts;
  for (const auto& part : fs::path(relative_path).parent_path()) {
    if (!part.empty() && part != ".") parts.push_back(part.string());
  }
  return parts;
}

// Python's str.strip(): what dbt does to every file it reads.
bool is_python_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c' ||
         (c >= '\x1c' && c <= '\x1f');
}

// `text` stripped as dbt strips a file, and the line it then starts on.
std::pair<std::string, int> strip_file(const std::string& text) {
  size_t begin = 0;
  while (begin < text.size() && is_python_space(text[begin])) ++begin;
  size_t end = text.size();
  while (end > begin && is_python_space(text[end - 1])) --end;
  int line = 1;
  for (size_t i = 0; i < begin; ++i) {
    if (text[i] == '\n') ++line;
  }
  return {text.substr(begin, end - begin), line};
}

std::string trimmed(std::string text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

// The config every test has in dbt before its own.
Json test_defaults() {
  return Json{{"schema", "dbt_test__audit"},  {"severity", "ERROR"}, {"store_failures", nullptr},
              {"store_failures_as", nullptr}, {"where", nullptr},    {"limit", nullptr},
              {"fail_calc", "count(*)"},      {"warn_if", "!= 0"},   {"error_if", "!= 0"}};
}

}  // namespace

// Builds a Project; a friend of Project, so it fills the private members.
class ProjectParser {
 public:
  explicit ProjectParser(const ProjectOptions& options)
      : options_(options), project_(new Project()) {}

  std::unique_ptr<Project> parse() {
    project_->invocation_id_ = jinja::new_invocation_id();
    project_->run_started_at_ = std::chrono::system_clock::now();
    project_->env_ =
        std::make_unique<jinja::Environment>(jinja::Whitespace{}, jinja::Undefined::kSemiStrict);
    jinja::Environment& env = *project_->env_;
    Value::Map flags = {{"FULL_REFRESH", options_.full_refresh},
                        {"STORE_FAILURES", options_.store_failures},
                        {"WHICH", options_.which}};
    project_->flags_ = flags;
    jinja::add_dbt_builtins(env, {project_->invocation_id_, project_->run_started_at_, flags});
    add_unsupported_functions(env);
    cli_vars_ = parse_cli_vars();
    load_profiles_and_file();
    project_->macros_ = std::make_unique<MacroLibrary>(env, project_->file_.name);
    load_macros();
    load_schema_files();
    add_seeds();
    add_sources();
    add_models();
    add_singular_tests();
    add_generic_tests();
    resolve();
    return std::move(project_);
  }

 private:
  ProjectFile& file() { return project_->file_; }
  jinja::Environment& env() { return *project_->env_; }

  static void add_unsupported_functions(jinja::Environment& env) {
    for (const char* name : {"run_query", "statement", "load_result", "store_result"}) {
      env.add_function(name, [name](const jinja::Arguments&) -> Value {
        throw jinja::TemplateError(
            fmt::format("{}() needs a connection to the database, which is not open while "
                        "compiling (guard it with {{% if execute %}} and run it with dvt run)",
                        name),
            jinja::TemplateError::Reason::kUnknown);
      });
    }
  }

  Value::Map parse_cli_vars() {
    if (options_.vars.empty()) return {};
    YAML::Node node;
    try {
      node = YAML::Load(options_.vars);
    } catch (const YAML::Exception& error) {
      throw ConfigError(fmt::format("--vars: not YAML or JSON: {}", error.what()));
    }
    if (node.IsNull()) return {};
    if (!node.IsMap()) throw ConfigError("--vars must be a mapping, such as '{key: value}'");
    return jinja::value_from_yaml(node).as_map();
  }

  // var() that sees only `vars` (while the project file renders: --vars).
  static Value var_function(Value::Map vars) {
    return Value(std::make_shared<jinja::FunctionObject>(
        "var", [vars = std::move(vars)](const jinja::Arguments& arguments) {
          const Value* name = arguments.get(0, "name");
          if (name == nullptr || !name->is_string()) {
            throw jinja::TemplateError("var() needs a variable name");
          }
          for (const auto& [key, value] : vars) {
            if (key == name->as_string()) return value;
          }
          if (const Value* fallback = arguments.get(1, "default")) return *fallback;
          throw jinja::TemplateError(fmt::format(
              "required var '{}' not found: set it in dbt_project.yml's vars or pass --vars",
              name->as_string()));
        }));
  }

  // Renders one string of a YAML file; errors name the file and line.
  std::string render_yaml_text(const std::string& text, const std::string& where,
                               const Value::Map& context) {
    std::string name = "yaml:" + where;
    try {
      env().add_template(name, text);
      jinja::RenderScope scope(context, nullptr);
      return env().render(name, context);
    } catch (const jinja::TemplateError& error) {
      throw ConfigError(fmt::format("{}: {}", where, error.reason()));
    }
  }

  void load_profiles_and_file() {
    fs::path dir = options_.project_dir;
    if (!fs::exists(dir / "dbt_project.yml")) {
      throw ConfigError(
          fmt::format("{}: no dbt_project.yml found: run in a project folder or give --project-dir",
                      (dir / "dbt_project.yml").string()));
    }
    // The profile's name first (the rest of the file may use `target`).
    YAML::Node raw = load_yaml_file(dir / "dbt_project.yml", "dbt_project.yml");
    Value::Map early = {{"var", var_function(cli_vars_)}};
    YamlRenderer early_renderer = [&](const std::string& text, const std::string& where) {
      return render_yaml_text(text, where, early);
    };
    std::string profile_name = options_.profile;
    if (profile_name.empty() && raw.IsMap() && raw["profile"] && raw["profile"].IsScalar()) {
      profile_name = raw["profile"].as<std::string>();
      if (has_jinja(profile_name)) {
        profile_name = early_renderer(profile_name, yaml_where("dbt_project.yml", raw["profile"]));
      }
    }
    fs::path profiles_dir = Profiles::resolve_dir(options_.profiles_dir, dir);
    Profiles profiles = Profiles::load(profiles_dir);
    const Profile& profile = profiles.profile(profile_name);
    project_->profile_name_ = profile.name;
    for (const auto& [name, output] : profile.outputs) project_->outputs_.emplace(name, output);
    std::string default_output = options_.target.empty() ? profile.target : options_.target;
    if (default_output.empty()) {
      throw ConfigError(fmt::format("{}: profile '{}' has no target: give one with --target",
                                    profiles.file(), profile.name));
    }
    if (!project_->outputs_.contains(default_output)) {
      throw ConfigError(fmt::format("--target {}: profile '{}' in {} has no such output ({})",
                                    default_output, profile.name, profiles.file(), output_names()));
    }
    project_->default_output_ = default_output;
    profiles_file_ = profiles.file();
    // The quoting config is needed for the default target: read it unrendered.
    if (raw.IsMap() && raw["quoting"] && raw["quoting"].IsMap()) {
      project_->file_.quoting = yaml_to_json(raw["quoting"], "dbt_project.yml");
    }
    const Target& target = ensure_target(default_output, "--target");
    Value::Map context = {{"var", var_function(cli_vars_)}, {"target", target.to_value()}};
    YamlRenderer renderer = [&, context](const std::string& text, const std::string& where) {
      return render_yaml_text(text, where, context);
    };
    project_->file_ = load_project_file(dir, renderer);
    // vars: the project's globals, its own package's, then --vars.
    Value::Map vars;
    auto put = [&vars](const std::string& key, const Value& value) {
      for (auto& [name, existing] : vars) {
        if (name == key) {
          existing = value;
          return;
        }
      }
      vars.emplace_back(key, value);
    };
    const Json& declared = project_->file_.vars;
    for (const auto& [key, value] : declared.items()) {
      if (key == project_->file_.name && value.is_object()) continue;
      put(key, jinja::value_from_json(value));
    }
    if (declared.contains(project_->file_.name) && declared[project_->file_.name].is_object()) {
      for (const auto& [key, value] : declared[project_->file_.name].items()) {
        put(key, jinja::value_from_json(value));
      }
    }
    for (const auto& [key, value] : cli_vars_) put(key, value);
    project_->vars_ = std::move(vars);
  }

  std::string output_names() const {
    std::vector<std::string> names;
    for (const auto& [name, output] : project_->outputs_) names.push_back(name);
    return fmt::format("outputs: {}", fmt::join(names, ", "));
  }

  // The target of `output`, made on first use. `what` names who asked, for
  // the message when profiles.yml has no such output.
  const Target& ensure_target(const std::string& output, const std::string& what) {
    auto found = project_->targets_.find(output);
    if (found != project_->targets_.end()) return found->second;
    auto config = project_->outputs_.find(output);
    if (config == project_->outputs_.end()) {
      throw ConfigError(fmt::format("{}: target '{}' is not an output of profile '{}' in {} ({})",
                                    what, output, project_->profile_name_, profiles_file_,
                                    output_names()));
    }
    Target target = make_target(config->second, project_->profile_name_, project_->file_.quoting);
    return project_->targets_.emplace(output, std::move(target)).first->second;
  }

  // The renderer of properties files: var, target (the default output), env_var.
  YamlRenderer yaml_renderer() {
    const Target& target = project_->targets_.at(project_->default_output_);
    Value::Map context = {{"var", var_function(project_->vars_)}, {"target", target.to_value()}};
    return [this, context](const std::string& text, const std::string& where) {
      return render_yaml_text(text, where, context);
    };
  }

  void load_macros() {
    MacroLibrary& macros = *project_->macros_;
    macros.add_builtins();
    const std::string& package = file().name;
    for (const auto& folder : file().macro_paths) {
      for (const auto& path : files_under(file().dir / folder, {".sql"})) {
        std::string display = relative_path(path, file().dir);
        macros.add_file(package, display, read_text(path, display));
      }
    }
    for (const auto& folder : file().test_paths) {
      for (const auto& path : files_under(file().dir / folder / "generic", {".sql"})) {
        std::string display = relative_path(path, file().dir);
        macros.add_file(package, display, read_text(path, display));
      }
    }
    macros.publish();
  }

  void load_schema_files() {
    YamlRenderer renderer = yaml_renderer();
    std::vector<std::string> folders = file().model_paths;
    folders.insert(folders.end(), file().seed_paths.begin(), file().seed_paths.end());
    std::set<fs::path> seen;
    for (const auto& folder : folders) {
      for (const auto& path : files_under(file().dir / folder, {".yml", ".yaml"})) {
        if (!seen.insert(path).second) continue;
        std::string display = relative_path(path, file().dir);
        YAML::Node root = load_yaml_file(path, display);
        schema_files_.push_back(parse_schema_file(root, display, renderer));
        schema_folders_.push_back(folder);
      }
    }
    for (size_t i = 0; i < schema_files_.size(); ++i) {
      const SchemaFile& schema = schema_files_[i];
      for (const auto& entry : schema.models) {
        if (!model_patches_.emplace(entry.name, Patch{&entry, &schema}).second) {
          throw ConfigError(fmt::format("{}:{}: model '{}' is described twice (also in {})",
                                        schema.original_file_path, entry.line, entry.name,
                                        model_patches_[entry.name].file->original_file_path));
        }
      }
      for (const auto& entry : schema.seeds) {
        if (!seed_patches_.emplace(entry.name, Patch{&entry, &schema}).second) {
          throw ConfigError(fmt::format("{}:{}: seed '{}' is described twice",
                                        schema.original_file_path, entry.line, entry.name));
        }
      }
    }
  }

  Node& add_node(std::unique_ptr<Node> node) {
    auto [entry, added] = project_->by_id_.emplace(node->unique_id, node.get());
    if (!added) {
      throw ConfigError(fmt::format("{}: {} '{}' is defined twice (also in {})", node->location(),
                                    resource_type_name(node->resource_type), node->name,
                                    entry->second->location()));
    }
    if (node->resource_type == ResourceType::kModel || node->resource_type == ResourceType::kSeed) {
      auto [ref, fresh] = project_->refs_.emplace(node->name, node.get());
      if (!fresh) {
        throw ConfigError(fmt::format(
            "{}: the name '{}' is taken by {} ({}): models and seeds need distinct names",
            node->location(), node->name, ref->second->unique_id, ref->second->location()));
      }
    }
    project_->owned_nodes_.push_back(std::move(node));
    return *project_->owned_nodes_.back();
  }

  void apply_patch(Node& node, const NodeEntry* entry, const SchemaFile* schema) {
    if (entry == nullptr) return;
    node.description = entry->description;
    node.config.merge(entry->config);
    for (const auto& column : entry->columns) node.columns.push_back(column.spec);
    node.patch_path = file().name + "://" + schema->original_file_path;
    node.yaml_file = schema->original_file_path;
    node.yaml_line = entry->line;
  }

  // database, schema and alias through the generate_*_name macros, with the
  // node's output as `target`.
  void name_relation(Node& node) {
    const Target& target = project_->targets_.at(node.output);
    NodeContext contexts(*project_);
    ParseRecord unused;
    Value::Map context = contexts.parse(node, node.output, unused);
    jinja::RenderScope scope(context, nullptr);
    Value node_value = contexts.node_value(node);
    auto generate = [&](const char* macro, const std::optional<std::string>& custom) {
      const MacroInfo* info = project_->macros_->find(macro);
      if (info == nullptr) throw InternalError(fmt::format("the macro {} is missing", macro));
      jinja::Arguments arguments;
      arguments.positional = {custom ? Value(*custom) : Value(), node_value};
      try {
        return trimmed(jinja::python_str(info->callable->call(arguments)));
      } catch (const jinja::TemplateError& error) {
        throw ConfigError(
            fmt::format("{} (naming {} with {})", error.what(), node.unique_id, macro));
      }
    };
    bool has_database = target.relation_style->include_database || !target.database.empty();
    node.relation.database = has_database || node.config.database()
                                 ? generate("generate_database_name", node.config.database())
                                 : "";
    node.relation.schema = generate("generate_schema_name", node.config.schema());
    node.relation.identifier = generate("generate_alias_name", node.config.alias());
  }

  // The output a node's config names, checked.
  void choose_output(Node& node) {
    std::string output = node.config.target();
    node.output = output.empty() ? project_->default_output_ : output;
    ensure_target(node.output, node.location());
  }

  // Renders `node` once with the parse context; applies its config() calls
  // and records its refs, sources and macros.
  void parse_render(Node& node) {
    std::string output =
        node.config.target().empty() ? project_->default_output_ : node.config.target();
    ensure_target(output, node.location());
    node.output = output;
    node.relation = {project_->targets_.at(output).database, project_->targets_.at(output).schema,
                     node.name};
    NodeContext contexts(*project_);
    ParseRecord record;
    Value::Map context = contexts.parse(node, output, record);
    try {
      env().add_template(node.original_file_path, node.raw_code);
      jinja::RenderScope scope(context, &record.macro_calls);
      env().render(node.original_file_path, context);
    } catch (const jinja::TemplateError& error) {
      rethrow_in_file_lines(error, node);
    }
    for (const auto& call : record.config_calls) node.config.merge(call);
    node.refs = record.refs;
    node.sources = record.sources;
    node.depends_on.macros = record.macro_calls;
  }

  std::unique_ptr<Node> file_node(ResourceType type, const fs::path& path,
                                  const std::string& folder) {
    auto node = std::make_unique<Node>();
    node->resource_type = type;
    node->package_name = file().name;
    node->original_file_path = relative_path(path, file().dir);
    node->path = relative_path(path, file().dir / folder);
    node->name = path.stem().string();
    node->fqn = {file().name};
    for (const auto& part : folders_of(node->path)) node->fqn.push_back(part);
    node->fqn.push_back(node->name);
    node->unique_id = fmt::format("{}.{}.{}", resource_type_name(type), file().name, node->name);
    return node;
  }

  void add_seeds() {
    for (const auto& folder : file().seed_paths) {
      for (const auto& path : files_under(file().dir / folder, {".csv"})) {
        auto node = file_node(ResourceType::kSeed, path, folder);
        node->seed_file = fs::absolute(path);
        node->checksum = sha256_hex(strip_file(read_text(path, node->original_file_path)).first);
        node->config.set("materialized", "seed");
        for (const auto& level : config_levels(file().seeds, node->fqn)) node->config.merge(level);
        auto patch = seed_patches_.find(node->name);
        if (patch != seed_patches_.end())
          apply_patch(*node, patch->second.entry, patch->second.file);
        if (!node->config.enabled()) {
          disabled_.insert(node->name);
          continue;
        }
        choose_output(*node);
        node->tags = node->config.tags();
        name_relation(*node);
        add_node(std::move(node));
      }
    }
  }

  void add_sources() {
    for (size_t i = 0; i < schema_files_.size(); ++i) {
      const SchemaFile& schema = schema_files_[i];
      std::string within =
          relative_path(file().dir / schema.original_file_path, file().dir / schema_folders_[i]);
      for (const auto& source : schema.sources) {
        std::string output =
            source.connection.empty() ? project_->default_output_ : source.connection;
        const Target& target =
            ensure_target(output, fmt::format("{}:{} (source '{}', connection)",
                                              schema.original_file_path, source.line, source.name));
        for (const auto& table : source.tables) {
          auto node = std::make_unique<Node>();
          node->resource_type = ResourceType::kSource;
          node->package_name = file().name;
          node->name = table.name;
          node->source_name = source.name;
          node->source_description = source.description;
          node->loader = source.loader;
          node->description = table.description;
          node->original_file_path = schema.original_file_path;
          node->path = schema.original_file_path;
          node->unique_id = fmt::format("source.{}.{}.{}", file().name, source.name, table.name);
          node->fqn = {file().name};
          for (const auto& part : folders_of(within)) node->fqn.push_back(part);
          node->fqn.push_back(source.name);
          node->fqn.push_back(table.name);
          for (const auto& level : config_levels(file().sources, node->fqn))
            node->config.merge(level);
          node->config.merge(source.config);
          node->config.merge(table.config);
          if (!node->config.enabled()) continue;
          node->source_meta = source.meta;
          node->config.set("meta", table.meta);
          std::vector<std::string> tags = source.tags;
          for (const auto& tag : table.tags) {
            if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
          }
          node->tags = tags;
          for (const auto& column : table.columns) node->columns.push_back(column.spec);
          node->output = output;
          node->relation.database = source.database.empty() ? target.database : source.database;
          node->relation.schema = source.schema.empty() ? source.name : source.schema;
          node->relation.identifier = table.identifier.empty() ? table.name : table.identifier;
          node->yaml_file = schema.original_file_path;
          node->yaml_line = table.line;
          project_->sources_[source.name + "." + table.name] = node.get();
          add_node(std::move(node));
        }
      }
    }
  }

  void add_models() {
    for (const auto& folder : file().model_paths) {
      for (const auto& path : files_under(file().dir / folder, {".sql"})) {
        auto node = file_node(ResourceType::kModel, path, folder);
        std::tie(node->raw_code, node->raw_code_line) =
            strip_file(read_text(path, node->original_file_path));
        node->checksum = sha256_hex(node->raw_code);
        for (const auto& level : config_levels(file().models, node->fqn)) node->config.merge(level);
        auto patch = model_patches_.find(node->name);
        if (patch != model_patches_.end())
          apply_patch(*node, patch->second.entry, patch->second.file);
        parse_render(*node);
        if (!node->config.enabled()) {
          disabled_.insert(node->name);
          continue;
        }
        choose_output(*node);
        node->tags = node->config.tags();
        name_relation(*node);
        add_node(std::move(node));
      }
    }
  }

  void add_singular_tests() {
    for (const auto& folder : file().test_paths) {
      fs::path root = file().dir / folder;
      for (const auto& path : files_under(root, {".sql"})) {
        if (relative_path(path, root).rfind("generic/", 0) == 0) continue;
        auto node = file_node(ResourceType::kTest, path, folder);
        std::tie(node->raw_code, node->raw_code_line) =
            strip_file(read_text(path, node->original_file_path));
        node->checksum = sha256_hex(node->raw_code);
        node->config.merge(test_defaults());
        for (const auto& level : config_levels(file().tests, node->fqn)) node->config.merge(level);
        parse_render(*node);
        if (!node->config.enabled()) continue;
        choose_output(*node);
        node->tags = node->config.tags();
        name_relation(*node);
        add_node(std::move(node));
      }
    }
  }

  // One generic test of a properties file entry.
  void add_generic_test(const TestEntry& entry, const TestTarget& target, const SchemaFile& schema,
                        const std::string& attached_node, const std::string& file_key_name,
                        const std::vector<std::string>& column_tags, const std::string& output) {
    std::string where = fmt::format("{}:{}", schema.original_file_path, entry.line);
    GenericTestDefinition definition = build_generic_test(entry.definition, target, where);
    auto node = std::make_unique<Node>();
    node->resource_type = ResourceType::kTest;
    node->package_name = file().name;
    node->name = definition.full_name;
    node->description = definition.description;
    node->original_file_path = schema.original_file_path;
    node->path = definition.short_name + ".sql";
    node->unique_id = fmt::format("test.{}.{}.{}", file().name, definition.full_name,
                                  generic_test_hash(definition));
    fs::path yaml_path(schema.original_file_path);
    node->fqn = {file().name};
    std::vector<std::string> folders = folders_of(schema.original_file_path);
    for (size_t i = 1; i < folders.size(); ++i) node->fqn.push_back(folders[i]);
    node->fqn.push_back(definition.full_name);
    node->yaml_file = schema.original_file_path;
    node->yaml_line = entry.line;
    node->config.merge(test_defaults());
    for (const auto& level : config_levels(file().tests, node->fqn)) node->config.merge(level);
    YamlRenderer renderer = yaml_renderer();
    for (const auto& [key, value] : definition.config.items()) {
      Json rendered = value;
      if (value.is_string() && has_jinja(value.get<std::string>())) {
        rendered = renderer(value.get<std::string>(), where);
      }
      node->config.set(key, rendered);
    }
    if (!node->config.enabled()) return;
    std::vector<std::string> tags = column_tags;
    for (const auto& tag : node->config.tags()) tags.push_back(tag);
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    node->tags = tags;

    GenericTest test;
    test.name = definition.test_name;
    test.macro_namespace = definition.macro_namespace;
    test.kwargs = definition.kwargs;
    test.column_name = target.column_name;
    if (target.kind != TestTarget::Kind::kSource) test.attached_node = attached_node;
    test.file_key_name = file_key_name;
    node->test = test;
    node->raw_code = fmt::format("{{{{ {}test_{}(**_dbt_generic_test_kwargs) }}}}{}",
                                 test.macro_namespace.empty() ? "" : test.macro_namespace + ".",
                                 test.name, config_call(definition.config));
    node->output = node->config.target().empty() ? output : node->config.target();
    ensure_target(node->output, where);

    // The arguments as one template: a macro returning them, rendered where
    // the test renders (so ref(), var() and the test's config resolve).
    std::string template_name = "kwargs:" + node->unique_id;
    env().add_template(template_name, "{% macro __dvt_kwargs() %}{{ return(" +
                                          kwargs_expression(test.kwargs) + ") }}{% endmacro %}");
    project_->test_kwargs_template_[node->unique_id] = template_name;

    const MacroInfo* macro = test_macro(test, where);
    node->depends_on.macros = {macro->unique_id};
    if (macro->unique_id == "macro.dbt.test_not_null" ||
        macro->unique_id == "macro.dbt.test_unique") {
      // dbt's shortcut for its two commonest tests: the tested node is the
      // only dependency, and nothing renders at parse time.
      if (target.kind == TestTarget::Kind::kSource) {
        node->sources = {{target.source_name, target.table_name}};
      } else {
        node->refs = {{"", target.name}};
      }
    } else {
      // Evaluate the arguments for their refs and sources; dbt records the
      // macro its `model` argument calls (get_where_subquery), no other.
      NodeContext contexts(*project_);
      ParseRecord record;
      node->relation = {project_->targets_.at(node->output).database,
                        project_->targets_.at(node->output).schema, node->name};
      Value::Map context = contexts.parse(*node, node->output, record);
      jinja::RenderScope scope(context, &record.macro_calls);
      try {
        env().call_macro(template_name, "__dvt_kwargs", {}, {}, context);
      } catch (const jinja::TemplateError& error) {
        throw ConfigError(
            fmt::format("{}: the arguments of test '{}': {}", where, test.name, error.reason()));
      }
      node->refs = record.refs;
      node->sources = record.sources;
      if (const MacroInfo* where_subquery = project_->macros_->find("get_where_subquery")) {
        node->depends_on.macros.push_back(where_subquery->unique_id);
      }
    }
    name_relation(*node);
    add_node(std::move(node));
  }

  // dbt's construct_config: the test's own config as a config() call in its
  // raw_code.
  static std::string config_call(const Json& config) {
    std::vector<std::string> parts;
    for (const auto& [key, value] : config.items()) {
      if (value.is_string()) {
        std::string text = value.get<std::string>();
        std::string escaped;
        for (char c : text) {
          if (c == '"') escaped += '\\';
          escaped += c;
        }
        parts.push_back(fmt::format("{}=\"{}\"", key, escaped));
      } else {
        parts.push_back(key + "=" + jinja::python_str(jinja::value_from_json(value)));
      }
    }
    if (parts.empty()) return "";
    return fmt::format("{{{{ config({}) }}}}", fmt::join(parts, ","));
  }

  const MacroInfo* test_macro(const GenericTest& test, const std::string& where) {
    const MacroInfo* macro = project_->macros_->find("test_" + test.name, test.macro_namespace);
    if (macro == nullptr) {
      throw ConfigError(fmt::format(
          "{}: no generic test named '{}'{} (define it with {{% test {}(model, column_name) %}} in "
          "macros/ or tests/generic/)",
          where, test.name, test.macro_namespace.empty() ? "" : " in " + test.macro_namespace,
          test.name));
    }
    return macro;
  }

  // A Jinja expression for the test's arguments: strings that look like a
  // call of ref, source, var, env_var or doc, or hold {{ }}, become
  // expressions (dbt renders them natively); column_name stays text.
  static std::string kwargs_expression(const Json& kwargs) {
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : kwargs.items()) {
      if (!first) out += ", ";
      first = false;
      out += literal(Json(key)) + ": " + (key == "column_name" ? literal(value) : argument(value));
    }
    return out + "}";
  }

  static std::string literal(const Json& value) {
    if (value.is_string()) return Json(value.get<std::string>()).dump();
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    if (value.is_null()) return "none";
    if (value.is_number()) return value.dump();
    std::string out = value.is_array() ? "[" : "{";
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      if (!first) out += ", ";
      first = false;
      if (value.is_object()) out += Json(key).dump() + ": ";
      out += argument(item);
    }
    return out + (value.is_array() ? "]" : "}");
  }

  static std::string argument(const Json& value) {
    if (!value.is_string()) return literal(value);
    std::string text = value.get<std::string>();
    static const std::regex kLooksLikeCall(R"(^\s*(env_var|ref|var|source|doc)\s*\(.+\)\s*$)");
    if (std::regex_match(text, kLooksLikeCall)) return "(" + text + ")";
    static const std::regex kOneExpression(R"(^\s*\{\{(.*)\}\}\s*$)");
    std::smatch match;
    if (std::regex_match(text, match, kOneExpression) &&
        match[1].str().find("}}") == std::string::npos) {
      return "(" + match[1].str() + ")";
    }
    return literal(value);
  }

  void add_generic_tests() {
    for (const auto& schema : schema_files_) {
      auto tests_of = [&](const NodeEntry& entry, TestTarget::Kind kind, const char* section) {
        auto node = project_->refs_.find(entry.name);
        if (node == project_->refs_.end()) {
          if (!disabled_.contains(entry.name)) {
            log_warn("parse.patch",
                     fmt::format("{}:{}: no {} named '{}' for this entry",
                                 schema.original_file_path, entry.line,
                                 section == std::string("models") ? "model" : "seed", entry.name));
          }
          return;
        }
        std::string key = fmt::format("{}.{}", section, entry.name);
        for (const auto& test : entry.tests) {
          add_generic_test(test, {kind, entry.name, "", "", ""}, schema, node->second->unique_id,
                           key, {}, node->second->output);
        }
        for (const auto& column : entry.columns) {
          std::string column_name = column_name_for(column, node->second->output);
          for (const auto& test : column.tests) {
            add_generic_test(test, {kind, entry.name, "", "", column_name}, schema,
                             node->second->unique_id, key, column.spec.tags, node->second->output);
          }
        }
      };
      for (const auto& entry : schema.models) tests_of(entry, TestTarget::Kind::kModel, "models");
      for (const auto& entry : schema.seeds) tests_of(entry, TestTarget::Kind::kSeed, "seeds");
      for (const auto& source : schema.sources) {
        for (const auto& table : source.tables) {
          const Node* node = project_->find_source(source.name, table.name);
          if (node == nullptr) continue;  // disabled
          std::string key = "sources." + source.name;
          for (const auto& test : table.tests) {
            add_generic_test(test, {TestTarget::Kind::kSource, "", source.name, table.name, ""},
                             schema, node->unique_id, key, {}, node->output);
          }
          for (const auto& column : table.columns) {
            std::string column_name = column_name_for(column, node->output);
            for (const auto& test : column.tests) {
              add_generic_test(
                  test, {TestTarget::Kind::kSource, "", source.name, table.name, column_name},
                  schema, node->unique_id, key, column.spec.tags, node->output);
            }
          }
        }
      }
    }
  }

  std::string column_name_for(const ColumnEntry& column, const std::string& output) {
    if (column.spec.quote.value_or(false)) {
      return project_->targets_.at(output).dialect->quote(column.spec.name);
    }
    return column.spec.name;
  }

  // depends_on.nodes from refs and sources; missing or disabled ones named.
  void resolve() {
    std::vector<const Node*> nodes;
    for (const auto& owned : project_->owned_nodes_) {
      Node& node = *owned;
      for (const auto& ref : node.refs) {
        if (!ref.package.empty() && ref.package != file().name) {
          throw ConfigError(
              fmt::format("{}: {} refers to package '{}', which this project does not "
                          "have (only '{}')",
                          node.location(), node.unique_id, ref.package, file().name));
        }
        const Node* parent = project_->find_ref(ref.package, ref.name);
        if (parent == nullptr) {
          if (node.test && disabled_.contains(ref.name)) {
            node.config.set("enabled", false);
            break;
          }
          throw ConfigError(
              fmt::format("{}: {} '{}' refers to '{}', which {} (ref('{}'))", node.location(),
                          resource_type_name(node.resource_type), node.name, ref.name,
                          disabled_.contains(ref.name) ? "is disabled"
                                                       : "is not a model or seed of this project",
                          ref.name));
        }
        add_dependency(node, parent->unique_id);
      }
      for (const auto& source : node.sources) {
        const Node* parent = project_->find_source(source.source, source.table);
        if (parent == nullptr) {
          throw ConfigError(
              fmt::format("{}: {} '{}' uses source('{}', '{}'), which no properties file defines",
                          node.location(), resource_type_name(node.resource_type), node.name,
                          source.source, source.table));
        }
        add_dependency(node, parent->unique_id);
      }
    }
    for (const auto& owned : project_->owned_nodes_) {
      if (owned->config.enabled()) nodes.push_back(owned.get());
    }
    project_->node_list_ = nodes;
    for (auto it = project_->by_id_.begin(); it != project_->by_id_.end();) {
      it = it->second->config.enabled() ? std::next(it) : project_->by_id_.erase(it);
    }
    project_->graph_ = Graph(nodes);
  }

  static void add_dependency(Node& node, const std::string& unique_id) {
    auto& list = node.depends_on.nodes;
    if (std::find(list.begin(), list.end(), unique_id) == list.end()) list.push_back(unique_id);
  }

  struct Patch {
    const NodeEntry* entry = nullptr;
    const SchemaFile* file = nullptr;
  };

  const ProjectOptions& options_;
  std::unique_ptr<Project> project_;
  Value::Map cli_vars_;
  std::string profiles_file_;
  std::vector<SchemaFile> schema_files_;
  std::vector<std::string> schema_folders_;
  std::map<std::string, Patch> model_patches_;
  std::map<std::string, Patch> seed_patches_;
  std::set<std::string> disabled_;
};

std::unique_ptr<Project> Project::load(const ProjectOptions& options) {
  return ProjectParser(options).parse();
}

}  // namespace dvt
