// The database servers the integration tests run against. scripts/services
// starts them (scripts/test does it for you) and writes
// $DVT_SERVICES_DIR/services.env with DVT_TEST_<PREFIX>_* variables:
//
//   PG:    HOST PORT USER PASSWORD DB LOG SOCKET(dir)    PostgreSQL 15
//   MYSQL: HOST PORT USER PASSWORD DB SOCKET LOG         MariaDB 10.11
//   CH:    HOST HTTP_PORT NATIVE_PORT USER PASSWORD DB LOG CLIENT_CONFIG
//                                                        ClickHouse 18.16
//
// A test that needs a server and finds none FAILS; it is never skipped.
#pragma once

#include <string>

namespace dvt::test {

struct ServerEnv {
  std::string host;
  int port = 0;         // PG/MYSQL: the server port; CH: the HTTP port
  int native_port = 0;  // CH: the native (TCP) port; PG/MYSQL: same as port
  std::string user, password, database;
  std::string socket;    // MYSQL: socket file; PG: socket directory; CH: empty
  std::string log_path;  // PG: server log (log_statement=all); MYSQL: general query log;
                         // CH: server log
};

// Reads DVT_TEST_<prefix>_* for prefix "PG", "MYSQL" or "CH". Variables set in
// the environment win; otherwise they are read from
// ${DVT_SERVICES_DIR:-/tmp/dvt-services}/services.env when that file exists (so
// a test binary run by hand after `scripts/services start` works too). When the
// server is not configured this records a non-fatal gtest failure
// (ADD_FAILURE) and throws std::runtime_error, e.g. "PostgreSQL test server not
// configured: run the suite through scripts/test, which starts it".
ServerEnv require_server(const std::string& prefix);

// Writes `dir`/profiles.yml (mode 0600: it may hold passwords) with `yaml` as
// its body, creating `dir` if needed; returns the file's path. Throws on error.
std::string write_profiles(const std::string& dir, const std::string& yaml);

}  // namespace dvt::test
