// Carries out a LoadSteps (load_plan.h) on one database session: every
// connector's writer opens the load with begin(), sends its rows through its
// bulk path into rows_into(), and publishes them with finish(); a failure
// anywhere, or destruction without finish(), runs the plan's undo steps, so
// the target is as it was.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/load_plan.h"

namespace dvt {

// What a load runner needs of a database connection.
class SqlSession {
 public:
  virtual ~SqlSession() = default;
  // Runs one statement. Returns the rows it inserted, updated or deleted
  // when the database reports that (nullopt otherwise). Throws the
  // connector's errors (DataError, ConnectionError, Interrupted).
  virtual std::optional<uint64_t> execute(const std::string& sql) = 0;
  // The rows of a small query's result, values as text (NULL as nullopt).
  virtual std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) = 0;
  // Runs a statement and ignores any failure: for undoing. Never throws.
  virtual void execute_quietly(const std::string& sql) noexcept = 0;
};

// A session that owns the connection it runs on (`Session` adapts a
// `Connection&` to SqlSession).
template <typename Connection, typename Session>
class OwningSession : public SqlSession {
 public:
  explicit OwningSession(std::unique_ptr<Connection> connection)
      : connection_(std::move(connection)), session_(*connection_) {}
  std::optional<uint64_t> execute(const std::string& sql) override { return session_.execute(sql); }
  std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) override {
    return session_.rows(sql);
  }
  void execute_quietly(const std::string& sql) noexcept override { session_.execute_quietly(sql); }
  Connection& connection() { return *connection_; }

 private:
  std::unique_ptr<Connection> connection_;
  Session session_;
};

class LoadRunner {
 public:
  // `label` names the target in messages.
  LoadRunner(SqlSession& session, LoadSteps steps, std::string label);
  ~LoadRunner();
  LoadRunner(const LoadRunner&) = delete;
  LoadRunner& operator=(const LoadRunner&) = delete;

  const LoadSteps& steps() const { return steps_; }
  const std::string& rows_into() const { return steps_.rows_into; }

  // Runs the steps before the first row. Throws on failure, after undoing.
  void begin();
  // REQUIRES: begin(), and `rows_loaded` rows are in rows_into(). Runs the
  // checks (DataError naming the offending key), publishes the rows and
  // checks the statements' counts against `rows_loaded` by the plan's
  // CountRule (DataError, target unchanged, when they differ), then cleans
  // up. Returns the load's result (rows, and inserted/updated/deleted as the
  // database reported them).
  TableChanges finish(uint64_t rows_loaded);
  // Undoes what begin() did, once. Never throws.
  void abandon() noexcept;

 private:
  // Throws DataError when the counts the database reported break the
  // plan's CountRule.
  void verify_counts(const TableChanges& result) const;
  // Runs a statement of the plan (each statement it generates, if it is a
  // generating one); returns its count.
  std::optional<uint64_t> run(const Statement& statement);

  SqlSession& session_;
  LoadSteps steps_;
  std::string label_;
  bool begun_ = false;
  bool done_ = false;
};

}  // namespace dvt
