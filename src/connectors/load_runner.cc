#include "connectors/load_runner.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"

namespace dvt {

LoadRunner::LoadRunner(SqlSession& session, LoadSteps steps, std::string label)
    : session_(session), steps_(std::move(steps)), label_(std::move(label)) {}

LoadRunner::~LoadRunner() {
  abandon();
}

void LoadRunner::begin() {
  begun_ = true;
  log_debug("load.plan", fmt::format("{}: {}", label_, steps_.explanation),
            {{"target", label_}, {"plan", steps_.explanation}});
  try {
    for (const auto& statement : steps_.before) run(statement);
  } catch (...) {
    abandon();
    throw;
  }
}

TableChanges LoadRunner::finish(uint64_t rows_loaded) {
  if (!begun_ || done_) throw InternalError("LoadRunner::finish without begin");
  TableChanges result;
  result.rows = rows_loaded;
  try {
    for (const auto& check : steps_.checks) {
      check_interrupted();
      auto rows = session_.rows(check.sql);
      if (rows.empty()) continue;
      std::string values;
      for (const auto& value : rows[0]) {
        if (!values.empty()) values += ", ";
        values += value ? "'" + *value + "'" : "NULL";
      }
      throw DataError(
          fmt::format("{}: {}: ({}); nothing was changed", label_, check.failure, values));
    }
    bool all_reported = true;
    for (const auto& statement : steps_.apply) {
      check_interrupted();
      std::optional<uint64_t> count = run(statement);
      std::optional<uint64_t>* total = nullptr;
      switch (statement.counts) {
        case Statement::Counts::kInserted:
          total = &result.inserted;
          break;
        case Statement::Counts::kUpdated:
          total = &result.updated;
          break;
        case Statement::Counts::kDeleted:
          total = &result.deleted;
          break;
        case Statement::Counts::kNone:
          continue;
      }
      if (!count) all_reported = false;
      *total = total->value_or(0) + count.value_or(0);
    }
    if (!all_reported) {
      result.inserted.reset();
      result.updated.reset();
      result.deleted.reset();
    }
    verify_counts(result);
    check_interrupted();
    for (const auto& statement : steps_.publish) run(statement);
  } catch (...) {
    abandon();
    throw;
  }
  done_ = true;
  for (const auto& statement : steps_.cleanup) {
    try {
      run(statement);
    } catch (const Error& error) {
      log_warn("load.cleanup",
               fmt::format("{} holds the new rows, but cleaning up after the load failed: {}",
                           label_, error.what()));
    }
  }
  return result;
}

void LoadRunner::verify_counts(const TableChanges& result) const {
  uint64_t moved = 0;
  switch (steps_.count_rule) {
    case CountRule::kNone:
      return;
    case CountRule::kInserted:
      if (!result.inserted) return;
      moved = *result.inserted;
      break;
    case CountRule::kInsertedPlusUpdated:
      if (!result.inserted || !result.updated) return;
      moved = *result.inserted + *result.updated;
      break;
  }
  if (moved != result.rows) {
    throw DataError(
        fmt::format("{}: {} rows were loaded but {} reached the table; nothing was "
                    "changed",
                    label_, result.rows, moved));
  }
}

std::optional<uint64_t> LoadRunner::run(const Statement& statement) {
  if (!statement.generates) return session_.execute(statement.sql);
  std::optional<uint64_t> total = 0;
  for (const auto& row : session_.rows(statement.sql)) {
    if (row.empty() || !row[0]) continue;
    std::optional<uint64_t> count = session_.execute(*row[0]);
    total = count && total ? std::optional<uint64_t>(*total + *count) : std::nullopt;
  }
  return total;
}

void LoadRunner::abandon() noexcept {
  if (!begun_ || done_) return;
  done_ = true;
  for (const auto& statement : steps_.on_failure) {
    if (!statement.generates) {
      session_.execute_quietly(statement.sql);
      continue;
    }
    try {
      for (const auto& row : session_.rows(statement.sql)) {
        if (!row.empty() && row[0]) session_.execute_quietly(*row[0]);
      }
    } catch (...) {
      // Undoing is best effort; the original failure is the one reported.
    }
  }
}

}  // namespace dvt
