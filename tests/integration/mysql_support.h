// The MariaDB test server (support/services.h) and a plain libmariadb
// connection to set up and check tables independently of the code under
// test. A missing server fails the test; it is never skipped.
#pragma once

#include <mysql.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/run_dvt.h"

namespace dvt::test {

struct MysqlServer {
  std::string host, user, password, database, socket;
  std::string log_path;  // the general query log
  unsigned port = 0;
};

// The server the tests use (require_server("MYSQL"): fails the test when
// none is configured).
MysqlServer mysql_server();

using MysqlTestRows = std::vector<std::vector<std::optional<std::string>>>;

// A connection for test setup and verification (utf8mb4, time_zone UTC).
class MysqlTestConnection {
 public:
  MysqlTestConnection();
  ~MysqlTestConnection();
  MysqlTestConnection(const MysqlTestConnection&) = delete;
  MysqlTestConnection& operator=(const MysqlTestConnection&) = delete;

  // Runs one or more statements; throws std::runtime_error on error.
  void exec(const std::string& sql);
  MysqlTestRows query(const std::string& sql);
  // The first column of the first row ("NULL" for a NULL).
  std::string value(const std::string& sql);
  MYSQL* get() const { return mysql_; }

 private:
  MYSQL* mysql_ = nullptr;
};

// Writes `dir`/profiles.yml with one output `my` of `type` for the test
// server, plus `extra` lines (e.g. "zero_dates: error").
void write_mysql_profiles(const std::string& dir, const std::vector<std::string>& extra = {},
                          const std::string& type = "mysql");

// Holds the server-wide test lock that guards the global local_infile
// setting: the fallback tests switch it off while holding the lock, and every
// test that loads into MySQL holds it while dvt runs, so tests run in
// parallel (ctest -j) never see each other's setting.
class LocalInfileLock {
 public:
  LocalInfileLock();
  ~LocalInfileLock();
  LocalInfileLock(const LocalInfileLock&) = delete;
  LocalInfileLock& operator=(const LocalInfileLock&) = delete;
  MysqlTestConnection& connection() { return connection_; }

 private:
  MysqlTestConnection connection_;
};

// Runs dvt with --profiles-dir `dir` followed by `args`, holding the
// LocalInfileLock unless `take_lock` is false (the caller holds it).
DvtRun run_dvt_in(const std::string& dir, const std::vector<std::string>& args,
                  bool take_lock = true);

// The size of the server's general query log now, and what the server
// logged since a size taken earlier. The log is shared by every test and
// grows large (INSERT batches are logged whole), so it is never read whole.
uint64_t query_log_size();
std::string query_log_since(uint64_t offset);

// Rows that differ between two tables with the same columns and an `id` key:
// compared both as values (<=>, exact for floats) and as bytes (BINARY, which
// catches case, trailing spaces and charset). Also counts rows missing on
// either side. 0 means identical.
long differing_rows(MysqlTestConnection& connection, const std::string& left,
                    const std::string& right);

}  // namespace dvt::test
