// The ClickHouse test server (support/services.h) and a plain HTTP client
// (libcurl) to set up and check tables independently of the code under
// test. Each test works in a database of its own, dropped afterwards. A
// missing server fails the test; it is never skipped.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "support/run_dvt.h"
#include "support/services.h"

namespace dvt::test::chtest {

using ChRows = std::vector<std::vector<std::string>>;

// Statements over HTTP as the test user.
class ChTestConnection {
 public:
  ChTestConnection();

  // Runs one statement; throws std::runtime_error with the server's text on error.
  void exec(const std::string& sql, const std::string& settings = "");
  // The raw output of a query (which names its FORMAT).
  std::string raw(const std::string& sql);
  // Rows of a query as TabSeparated text, unescaped (NULL as "\N").
  ChRows rows(const std::string& sql);
  // The first column of the first row ("" without rows).
  std::string value(const std::string& sql);
  // Sends `data` as the body of `INSERT ... FORMAT x` (the statement in the URL).
  void insert(const std::string& insert_sql, const std::string& data);

  const ServerEnv& env() const { return env_; }

 private:
  std::string post(const std::string& url_query, const std::string& body);
  ServerEnv env_;
};

// A fresh database "dvt_<name>_<pid>" with its own profiles folder holding
// the outputs `ch` (HTTP port), `ch_nohttp` (a closed HTTP port, so auto
// falls back to the pipe) whose default database is this one.
class ChTestDatabase {
 public:
  explicit ChTestDatabase(const std::string& name,
                          const std::vector<std::string>& extra_profile_lines = {});
  ~ChTestDatabase();

  const std::string& name() const { return name_; }
  // "ch:<db>.<table>"
  std::string endpoint(const std::string& table, const std::string& output = "ch") const {
    return output + ":" + name_ + "." + table;
  }
  // `db`.`table`
  std::string table(const std::string& table) const { return "`" + name_ + "`.`" + table + "`"; }
  const std::string& dir() const { return dir_.path(); }
  std::string file(const std::string& name) const { return dir_.file(name); }
  ChTestConnection& db() { return db_; }

  // Rewrites profiles.yml with `lines` added to every ClickHouse output,
  // and `more_outputs` (YAML under "outputs:") appended.
  void write_profiles(const std::vector<std::string>& extra_lines,
                      const std::string& more_outputs = "");
  // Runs dvt with --profiles-dir set to this database's folder.
  DvtRun dvt(const std::vector<std::string>& args, const DvtRunOptions& options = {}) const;

 private:
  std::string name_;
  TempDir dir_;
  ChTestConnection db_;
};

// Rows of `left` missing from `right` plus rows of `right` missing from
// `left`, comparing each row's TabSeparated text plus `extra` expressions
// (e.g. the bit patterns of float columns, which text may not tell apart).
// 0 means identical.
long differing_rows(ChTestConnection& db, const std::string& left, const std::string& right,
                    const std::string& extra = "");

// The server's connection settings.
ServerEnv ch_env();

// Pids of the running processes whose parent is `parent`.
std::vector<pid_t> child_pids(pid_t parent);
// /proc/PID/cmdline as its arguments ("" when the process is gone).
std::vector<std::string> command_line(pid_t pid);

}  // namespace dvt::test::chtest
