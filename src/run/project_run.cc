#include "run/project_run.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "connectors/connector.h"
#include "connectors/load_runner.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "project/manifest.h"

namespace dvt {

int RunReport::exit_code() const {
  if (interrupted) return 130;
  for (const auto& result : results) {
    if (result.status == "error" || result.status == "fail") return 1;
  }
  return 0;
}

namespace {

using Clock = std::chrono::system_clock;

bool executes(const Node& node) {
  switch (node.resource_type) {
    case ResourceType::kSeed:
    case ResourceType::kTest:
      return true;
    case ResourceType::kModel:
      return !node.is_ephemeral();
    case ResourceType::kSource:
      return false;
  }
  return false;
}

TableRef table_of(const Node& node) {
  return TableRef{node.relation.schema, node.relation.identifier};
}

// The executed nodes `node` waits for: its parents, looking through the ones
// that do not execute (ephemeral models) to theirs.
void executed_parents(const Project& project, const Node& node, const std::set<std::string>& run,
                      std::set<std::string>& out, std::set<std::string>& seen) {
  for (const auto& id : node.depends_on.nodes) {
    if (!seen.insert(id).second) continue;
    const Node* parent = project.find(id);
    if (!parent) continue;
    if (run.count(id)) {
      out.insert(id);
    } else if (parent->is_ephemeral()) {
      executed_parents(project, *parent, run, out, seen);
    }
  }
}

// The outputs holding the node's inputs other than its own: its sources'
// connections and the targets of the models it refs (through ephemeral
// models).
void input_outputs(const Project& project, const Node& node, std::set<std::string>& out,
                   std::set<std::string>& seen) {
  for (const auto& id : node.depends_on.nodes) {
    if (!seen.insert(id).second) continue;
    const Node* parent = project.find(id);
    if (!parent) continue;
    if (parent->is_ephemeral()) {
      input_outputs(project, *parent, out, seen);
    } else {
      out.insert(parent->output);
    }
  }
}

// The database of one output for the length of a run. A database that runs
// inside the engine (DuckDB) or allows one writer (SQLite) is used by one
// node at a time, on one engine; others get an engine and connector per node.
struct OutputSlot {
  const OutputConfig* config = nullptr;
  std::unique_ptr<JobEngine> engine;
  std::unique_ptr<Connector> connector;
  bool serial = false;
  std::mutex mutex;
};

class Runner {
 public:
  Runner(const Project& project, const RunOptions& options)
      : project_(project), options_(options) {}

  RunReport run(const std::vector<const Node*>& selected, RunObserver* observer) {
    std::vector<const Node*> nodes = executable_nodes(project_, selected);
    RunReport report;
    report.started_at = Clock::now();
    auto start = std::chrono::steady_clock::now();
    std::set<std::string> run_ids;
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < nodes.size(); ++i) {
      run_ids.insert(nodes[i]->unique_id);
      index[nodes[i]->unique_id] = i;
    }
    std::vector<ScheduledNode> scheduled(nodes.size());
    std::vector<std::set<std::string>> parents(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
      std::set<std::string> seen;
      executed_parents(project_, *nodes[i], run_ids, parents[i], seen);
    }
    // dvt build: a model's tests run before the models downstream of it (a
    // test on an ancestor of a node blocks that node, as in dbt build).
    if (options_.which == "build") add_test_gates(nodes, parents);
    results_.assign(nodes.size(), NodeResult{});
    for (size_t i = 0; i < nodes.size(); ++i) {
      for (const auto& id : parents[i]) scheduled[i].depends_on.push_back(index[id]);
      results_[i].node = nodes[i];
      results_[i].materialized = materialization(*nodes[i]);
      results_[i].relation = relation_text(*nodes[i]);
      scheduled[i].run = [this, i] { return execute(i); };
      // A warning never blocks; a failing test blocks in build.
      scheduled[i].blocks_descendants = true;
    }
    for (const Node* node : nodes) slot(node->output);
    create_schemas(nodes);

    std::mutex order_mutex;
    std::vector<size_t> order;  // node indexes in the order they were reported
    std::map<std::thread::id, int> threads;
    std::vector<size_t> number(nodes.size(), 0);
    size_t started = 0;
    ScheduleObserver schedule_observer;
    schedule_observer.started = [&](size_t node) {
      number[node] = ++started;
      auto thread = threads.emplace(std::this_thread::get_id(), threads.size() + 1).first;
      results_[node].thread = thread->second;
      results_[node].started_at = Clock::now();
      if (observer) observer->started(results_[node], number[node], nodes.size());
    };
    schedule_observer.finished = [&](size_t node, const NodeOutcome& outcome, double seconds) {
      NodeResult& result = results_[node];
      if (number[node] == 0) number[node] = ++started;
      result.outcome = outcome.status;
      result.seconds = seconds;
      result.completed_at = Clock::now();
      if (result.started_at == Clock::time_point{}) result.started_at = result.completed_at;
      if (outcome.status != NodeStatus::kSuccess || result.status.empty()) {
        result.status = status_name(*result.node, outcome.status);
        if (outcome.status != NodeStatus::kSuccess && outcome.status != NodeStatus::kWarn &&
            outcome.status != NodeStatus::kFail) {
          result.message = Logger::instance().redact(outcome.message);
        }
      }
      std::lock_guard lock(order_mutex);
      order.push_back(node);
      if (observer) observer->finished(result, number[node], nodes.size());
    };
    ScheduleOptions schedule_options{std::max(options_.threads, 1), options_.fail_fast};
    run_schedule(scheduled, schedule_options, schedule_observer);
    for (size_t node : order) report.results.push_back(results_[node]);
    report.interrupted = interrupted();
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
  }

 private:
  static std::string status_name(const Node& node, NodeStatus status) {
    const bool test = node.resource_type == ResourceType::kTest;
    switch (status) {
      case NodeStatus::kSuccess:
        return test ? "pass" : "success";
      case NodeStatus::kWarn:
        return "warn";
      case NodeStatus::kFail:
        return "fail";
      case NodeStatus::kSkipped:
        return "skipped";
      case NodeStatus::kError:
      case NodeStatus::kInterrupted:
        return "error";
    }
    return "error";
  }

  static std::string materialization(const Node& node) {
    switch (node.resource_type) {
      case ResourceType::kSeed:
        return "seed";
      case ResourceType::kTest:
        return "test";
      default:
        return node.config.materialized();
    }
  }

  std::string relation_text(const Node& node) const {
    Json name = relation_name(project_, node);
    return name.is_string() ? name.get<std::string>() : "";
  }

  void add_test_gates(const std::vector<const Node*>& nodes,
                      std::vector<std::set<std::string>>& parents) const {
    // Ancestors (executed) of each node, by index order (a topological one).
    std::map<std::string, std::set<std::string>> ancestors;
    for (size_t i = 0; i < nodes.size(); ++i) {
      std::set<std::string>& mine = ancestors[nodes[i]->unique_id];
      for (const auto& parent : parents[i]) {
        mine.insert(parent);
        const auto& theirs = ancestors[parent];
        mine.insert(theirs.begin(), theirs.end());
      }
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i]->resource_type == ResourceType::kTest) continue;
      const std::set<std::string>& mine = ancestors[nodes[i]->unique_id];
      for (size_t t = 0; t < nodes.size(); ++t) {
        const Node& test = *nodes[t];
        if (test.resource_type != ResourceType::kTest || parents[t].empty()) continue;
        bool on_ancestors = std::all_of(parents[t].begin(), parents[t].end(),
                                        [&](const std::string& id) { return mine.count(id) > 0; });
        if (on_ancestors) parents[i].insert(test.unique_id);
      }
    }
  }

  OutputSlot& slot(const std::string& output) {
    std::lock_guard lock(slots_mutex_);
    std::unique_ptr<OutputSlot>& slot = slots_[output];
    if (!slot) {
      slot = std::make_unique<OutputSlot>();
      slot->config = &project_.output_config(output);
      slot->engine = std::make_unique<JobEngine>(options_.job);
      slot->connector = make_connector(*slot->config, slot->engine->engine);
      slot->serial = slot->connector->one_session_at_a_time();
    }
    return *slot;
  }

  // The schemas the nodes are written to, created before any node runs: two
  // nodes creating the same schema at once collide in the catalog
  // (PostgreSQL's CREATE SCHEMA IF NOT EXISTS is not safe against itself).
  // A failure here is left for the nodes to report.
  void create_schemas(const std::vector<const Node*>& nodes) {
    std::set<std::pair<std::string, std::string>> done;
    for (const Node* node : nodes) {
      OutputSlot& output = slot(node->output);
      if (output.serial || node->relation.schema.empty()) continue;
      if (!done.emplace(node->output, node->relation.schema).second) continue;
      try {
        const Dialect& dialect = output.connector->dialect();
        output.connector->open_session()->execute_quietly(
            dialect.create_schema(dialect.quote(node->relation.schema)));
      } catch (const Error&) {
      }
    }
  }

  // One node's work, on the slot's engine (serial outputs) or an engine of
  // its own.
  NodeOutcome execute(size_t i) {
    check_interrupted();
    const Node& node = *results_[i].node;
    require_pushdown(node);
    OutputSlot& output = slot(node.output);
    std::unique_lock<std::mutex> lock(output.mutex, std::defer_lock);
    std::unique_ptr<JobEngine> own_engine;
    std::unique_ptr<Connector> own_connector;
    Engine* engine = &output.engine->engine;
    Connector* connector = output.connector.get();
    if (output.serial) {
      lock.lock();
    } else {
      own_engine = std::make_unique<JobEngine>(options_.job);
      own_connector = make_connector(*output.config, own_engine->engine);
      engine = &own_engine->engine;
      connector = own_connector.get();
    }
    switch (node.resource_type) {
      case ResourceType::kSeed:
        return seed(node, *engine, results_[i]);
      case ResourceType::kModel:
        return model(node, *connector, results_[i]);
      case ResourceType::kTest:
        return test(node, *connector, results_[i]);
      case ResourceType::kSource:
        break;
    }
    throw InternalError(node.unique_id + " does not execute");
  }

  // A node runs in its target when every input lives there.
  void require_pushdown(const Node& node) const {
    std::set<std::string> outputs, seen;
    input_outputs(project_, node, outputs, seen);
    outputs.erase(node.output);
    if (outputs.empty()) return;
    throw ConfigError(fmt::format(
        "{} ({}) is written to output '{}' but reads from {}: a model whose inputs live in "
        "another output is federated, and this build runs only models whose inputs are all in "
        "their target",
        node.name, node.location(), node.output,
        fmt::join(std::vector<std::string>(outputs.begin(), outputs.end()), ", ")));
  }

  NodeOutcome seed(const Node& node, Engine& engine, NodeResult& result) {
    Transfer transfer;
    transfer.command = "seed";
    transfer.from.file = node.seed_file;
    transfer.from.display = node.original_file_path;
    for (const auto& [column, type] : node.config.column_types()) {
      transfer.from.csv.column_types[column] = type;
    }
    transfer.from.csv.delimiter = node.config.delimiter();
    transfer.to.output = &project_.output_config(node.output);
    transfer.to.table = table_of(node);
    transfer.to.display = fmt::format("{}:{}", node.output, transfer.to.table.display());
    transfer.load.table = transfer.to.table;
    transfer.load.mode = LoadMode::kOverwrite;
    transfer.load.full_refresh = full_refresh(node);
    TransferResult moved = run_transfer(engine, transfer, nullptr);
    result.rows_affected = moved.rows;
    result.message = fmt::format("INSERT {}", moved.rows);
    result.status = "success";
    return {NodeStatus::kSuccess, result.message};
  }

  bool full_refresh(const Node& node) const {
    // A node's full_refresh config wins over the flag (dbt's rule).
    return node.config.full_refresh().value_or(options_.full_refresh);
  }

  NodeOutcome model(const Node& node, Connector& connector, NodeResult& result) {
    for (const char* hook : {"pre-hook", "post-hook"}) {
      const Json* hooks = node.config.find(hook);
      if (hooks && !(hooks->is_array() && hooks->empty())) {
        throw ConfigError(fmt::format("{} ({}): {} is not run by this build of dvt", node.name,
                                      node.location(), hook));
      }
    }
    const std::string materialized = node.config.materialized();
    const TableRef table = table_of(node);
    const bool refresh = full_refresh(node);
    const bool exists = connector.relation_exists(table);
    RenderFacts facts;
    facts.is_incremental = materialized == "incremental" && exists && !refresh;
    result.compiled_code = project_.render(node, facts);
    check_interrupted();
    LoadRequest request;
    request.table = table;
    if (materialized == "view") {
      ensure_schema(connector, table);
      connector.create_view(table, result.compiled_code);
      result.message = "CREATE VIEW";
    } else if (materialized == "table" || materialized == "incremental") {
      request.full_refresh = refresh && exists;
      if (facts.is_incremental) {
        request.mode = incremental_mode(node);
        request.unique_key = node.config.unique_key();
      }
      LoadResult loaded = connector.materialize(request, result.compiled_code);
      result.rows_affected = loaded.rows;
      result.message = fmt::format("{} {}", facts.is_incremental ? "MERGE" : "SELECT", loaded.rows);
      if (facts.is_incremental && request.mode == LoadMode::kAppend)
        result.message = fmt::format("INSERT {}", loaded.rows);
    } else {
      throw ConfigError(fmt::format(
          "{} ({}): materialization '{}' is not one dvt runs (view, table, incremental, "
          "ephemeral)",
          node.name, node.location(), materialized));
    }
    result.status = "success";
    return {NodeStatus::kSuccess, result.message};
  }

  static LoadMode incremental_mode(const Node& node) {
    const std::string strategy = node.config.incremental_strategy();
    const bool keyed = !node.config.unique_key().empty();
    if (strategy.empty()) return keyed ? LoadMode::kDeleteInsert : LoadMode::kAppend;
    if (strategy == "append") return LoadMode::kAppend;
    if (strategy == "merge" || strategy == "delete+insert") {
      if (!keyed) {
        throw ConfigError(fmt::format("{} ({}): incremental_strategy '{}' needs a unique_key",
                                      node.name, node.location(), strategy));
      }
      return strategy == "merge" ? LoadMode::kMerge : LoadMode::kDeleteInsert;
    }
    throw ConfigError(fmt::format(
        "{} ({}): incremental_strategy '{}' is not one dvt runs (append, merge, delete+insert)",
        node.name, node.location(), strategy));
  }

  static void ensure_schema(Connector& connector, const TableRef& table) {
    if (table.schema.empty() || connector.relation_exists(table)) return;
    std::unique_ptr<SqlSession> session = connector.open_session();
    session->execute_quietly(
        connector.dialect().create_schema(connector.dialect().quote(table.schema)));
  }

  NodeOutcome test(const Node& node, Connector& connector, NodeResult& result) {
    TestQuery query = project_.test_query(node);
    result.compiled_code = query.failing_rows_sql;
    std::unique_ptr<SqlSession> session = connector.open_session();
    std::vector<std::vector<std::optional<std::string>>> rows;
    try {
      rows = session->rows(query.summary_sql);
    } catch (const DataError& error) {
      throw SqlError(fmt::format("{} ({}): {}", node.name, node.location(), error.what()));
    }
    if (rows.size() != 1 || rows[0].size() < 3) {
      throw InternalError(node.name + ": the test's summary query did not return one row");
    }
    auto truthy = [](const std::optional<std::string>& value) {
      if (!value) return false;
      return *value == "1" || *value == "true" || *value == "t" || *value == "TRUE";
    };
    const uint64_t failures = rows[0][0] ? std::stoull(*rows[0][0]) : 0;
    result.failures = failures;
    result.message = failures == 0
                         ? ""
                         : fmt::format("Got {} result{}, configured to fail if {}", failures,
                                       failures == 1 ? "" : "s", query.error_if);
    // dbt's rule: should_error fails the test only at severity error; a
    // test at severity warn warns when should_warn holds.
    if (query.severity == "ERROR" && truthy(rows[0][2])) {
      result.status = "fail";
      return {NodeStatus::kFail, result.message};
    }
    if (truthy(rows[0][1])) {
      result.status = "warn";
      result.message = fmt::format("Got {} result{}, configured to warn if {}", failures,
                                   failures == 1 ? "" : "s", query.warn_if);
      return {NodeStatus::kWarn, result.message};
    }
    result.status = "pass";
    return {NodeStatus::kSuccess, result.message};
  }

  const Project& project_;
  const RunOptions& options_;
  std::vector<NodeResult> results_;
  std::mutex slots_mutex_;
  std::map<std::string, std::unique_ptr<OutputSlot>> slots_;
};

}  // namespace

std::vector<const Node*> executable_nodes(const Project& project,
                                          const std::vector<const Node*>& selected) {
  std::set<std::string> chosen;
  for (const Node* node : selected) {
    if (executes(*node)) chosen.insert(node->unique_id);
  }
  // The project's DAG order, restricted to the chosen nodes.
  std::vector<const Node*> ordered;
  std::set<std::string> placed;
  std::function<void(const Node&)> place = [&](const Node& node) {
    if (placed.count(node.unique_id)) return;
    placed.insert(node.unique_id);
    for (const auto& id : node.depends_on.nodes) {
      if (const Node* parent = project.find(id)) place(*parent);
    }
    if (chosen.count(node.unique_id)) ordered.push_back(&node);
  };
  for (const Node* node : project.nodes()) {
    if (chosen.count(node->unique_id)) place(*node);
  }
  return ordered;
}

RunReport run_project(const Project& project, const std::vector<const Node*>& selected,
                      const RunOptions& options, RunObserver* observer) {
  Runner runner(project, options);
  return runner.run(selected, observer);
}

namespace {

std::string iso_time(Clock::time_point time) {
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros % 1000000);
}

}  // namespace

void write_run_results(const Project& project, const RunReport& report, const RunOptions& options) {
  Json results = Json::array();
  for (const auto& result : report.results) {
    Json timing = Json::array();
    if (result.status != "skipped") {
      timing.push_back({{"name", "compile"},
                        {"started_at", iso_time(result.started_at)},
                        {"completed_at", iso_time(result.started_at)}});
      timing.push_back({{"name", "execute"},
                        {"started_at", iso_time(result.started_at)},
                        {"completed_at", iso_time(result.completed_at)}});
    }
    Json adapter = Json::object();
    if (!result.message.empty() && result.status != "error" && result.status != "skipped")
      adapter["_message"] = result.message;
    if (result.rows_affected) adapter["rows_affected"] = *result.rows_affected;
    Json entry = {
        {"status", result.status},
        {"timing", timing},
        {"thread_id", fmt::format("Thread-{}", result.thread)},
        {"execution_time", result.seconds},
        {"adapter_response", adapter},
        {"message", result.message.empty() ? Json(nullptr) : Json(result.message)},
        {"failures", result.failures ? Json(*result.failures) : Json(nullptr)},
        {"unique_id", result.node->unique_id},
        {"compiled", !result.compiled_code.empty()},
        {"compiled_code", result.compiled_code},
        {"relation_name", result.relation.empty() ? Json(nullptr) : Json(result.relation)}};
    results.push_back(std::move(entry));
  }
  Json document = {{"metadata",
                    {{"dbt_schema_version", "https://schemas.getdbt.com/dbt/run-results/v6.json"},
                     {"dbt_version", "1.8.0"},
                     {"generated_at", iso_time(Clock::now())},
                     {"invocation_id", project.invocation_id()},
                     {"env", Json::object()}}},
                   {"results", results},
                   {"elapsed_time", report.seconds},
                   {"args",
                    {{"which", options.which},
                     {"threads", options.threads},
                     {"full_refresh", options.full_refresh},
                     {"fail_fast", options.fail_fast},
                     {"target", project.default_output()}}}};
  std::filesystem::path dir = project.target_dir();
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  std::filesystem::path file = dir / "run_results.json";
  std::filesystem::path temp = dir / "run_results.json.tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << document.dump(2);
    if (!out) throw DataError(fmt::format("{}: cannot write the run results", temp.string()));
  }
  std::filesystem::rename(temp, file, error);
  if (error) {
    std::filesystem::remove(temp, error);
    throw DataError(fmt::format("{}: cannot write the run results", file.string()));
  }
}

Preview preview_node(const Project& project, const Node& node, uint64_t limit,
                     const JobOptions& job) {
  if (node.resource_type != ResourceType::kModel && node.resource_type != ResourceType::kSeed) {
    throw ConfigError(fmt::format("{} is a {}: dvt show previews models and seeds", node.name,
                                  resource_type_name(node.resource_type)));
  }
  JobEngine engine(job);
  std::unique_ptr<Connector> connector =
      make_connector(project.output_config(node.output), engine.engine);
  ScanRequest scan;
  scan.limit = limit;
  if (node.resource_type == ResourceType::kSeed) {
    scan.table = table_of(node);
  } else {
    scan.query = project.render(node);
  }
  Source source = connector->open_source(engine.engine, scan, nullptr);
  Preview preview;
  preview.columns = source.schema.names();
  preview.rows = engine.engine.query_strings("SELECT * FROM " + source.relation);
  return preview;
}

}  // namespace dvt
