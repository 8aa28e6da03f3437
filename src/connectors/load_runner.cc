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
    for (const auto& statement : steps_.before) session_.execute(statement.sql);
  } catch (...) {
    abandon();
    throw;
  }
}

LoadResult LoadRunner::finish(uint64_t rows_loaded) {
  if (!begun_ || done_) throw InternalError("LoadRunner::finish without begin");
  LoadResult result;
  result.rows = rows_loaded;
  try {
    for (const auto& check : steps_.checks) {
      check_interrupted();
      auto row = session_.first_row(check.sql);
      if (!row) continue;
      std::string values;
      for (const auto& value : *row) {
        if (!values.empty()) values += ", ";
        values += value ? "'" + *value + "'" : "NULL";
      }
      throw DataError(
          fmt::format("{}: {}: ({}); nothing was changed", label_, check.failure, values));
    }
    bool all_reported = true;
    for (const auto& statement : steps_.apply) {
      check_interrupted();
      std::optional<uint64_t> count = session_.execute(statement.sql);
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
    for (const auto& statement : steps_.publish) session_.execute(statement.sql);
  } catch (...) {
    abandon();
    throw;
  }
  done_ = true;
  for (const auto& statement : steps_.cleanup) {
    try {
      session_.execute(statement.sql);
    } catch (const Error& error) {
      log_warn("load.cleanup",
               fmt::format("{} holds the new rows, but cleaning up after the load failed: {}",
                           label_, error.what()));
    }
  }
  return result;
}

void LoadRunner::verify_counts(const LoadResult& result) const {
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

void LoadRunner::abandon() noexcept {
  if (!begun_ || done_) return;
  done_ = true;
  for (const auto& sql : steps_.on_failure) session_.execute_quietly(sql);
}

}  // namespace dvt
