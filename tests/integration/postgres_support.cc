#include "integration/postgres_support.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include <fmt/format.h>

namespace dvt::test::pgtest {

ServerEnv pg_env() {
  return require_server("PG");
}

PgTestConnection::PgTestConnection() {
  ServerEnv env = pg_env();
  std::string port = std::to_string(env.port);
  const char* keys[] = {"host", "port", "user", "password", "dbname", "options", nullptr};
  const char* values[] = {env.host.c_str(),
                          port.c_str(),
                          env.user.c_str(),
                          env.password.c_str(),
                          env.database.c_str(),
                          "-c TimeZone=UTC -c DateStyle=ISO,MDY -c client_min_messages=warning",
                          nullptr};
  conn_ = PQconnectdbParams(keys, values, 0);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("cannot connect to the PostgreSQL test server: " + error);
  }
}

PgTestConnection::~PgTestConnection() {
  if (conn_) PQfinish(conn_);
}

void PgTestConnection::exec(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  std::string error = PQresultErrorMessage(result);
  PQclear(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("test SQL failed: " + error + " in: " + sql);
  }
}

PgRows PgTestConnection::query(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    std::string error = PQresultErrorMessage(result);
    PQclear(result);
    throw std::runtime_error("test SQL failed: " + error + " in: " + sql);
  }
  PgRows rows;
  for (int row = 0; row < PQntuples(result); ++row) {
    std::vector<std::optional<std::string>> values;
    for (int column = 0; column < PQnfields(result); ++column) {
      if (PQgetisnull(result, row, column)) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(std::string(PQgetvalue(result, row, column),
                                        static_cast<size_t>(PQgetlength(result, row, column))));
      }
    }
    rows.push_back(std::move(values));
  }
  PQclear(result);
  return rows;
}

std::string PgTestConnection::value(const std::string& sql) {
  PgRows rows = query(sql);
  if (rows.empty() || rows[0].empty()) return "";
  return rows[0][0].value_or("NULL");
}

PgTestSchema::PgTestSchema(const std::string& name,
                           const std::vector<std::string>& extra_profile_lines,
                           const std::string& type)
    : name_(fmt::format("dvt_{}_{}", name, ::getpid())) {
  db_.exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", name_));
  write_profiles(extra_profile_lines, type);
}

PgTestSchema::~PgTestSchema() {
  try {
    db_.exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", name_));
  } catch (const std::exception&) {
    // A failing test has already said why; keep the schema for inspection.
  }
}

void PgTestSchema::write_profiles(const std::vector<std::string>& extra_lines,
                                  const std::string& type, bool with_password) const {
  ServerEnv env = pg_env();
  std::string yaml = fmt::format(
      "test:\n  target: pg\n  outputs:\n    pg:\n      type: {}\n      host: {}\n      port: {}\n  "
      "    user: {}\n"
      "      dbname: {}\n      schema: {}\n",
      type, env.host, env.port, env.user, env.database, name_);
  if (with_password) yaml += fmt::format("      password: \"{}\"\n", env.password);
  for (const auto& line : extra_lines) yaml += "      " + line + "\n";
  size_t start = 0;
  while (start < more_outputs_.size()) {
    size_t end = more_outputs_.find('\n', start);
    if (end == std::string::npos) end = more_outputs_.size();
    yaml += "    " + more_outputs_.substr(start, end - start) + "\n";
    start = end + 1;
  }
  dvt::test::write_profiles(dir_.path(), yaml);
}

void PgTestSchema::add_output(const std::string& yaml) {
  more_outputs_ += yaml;
  write_profiles({});
}

DvtRun PgTestSchema::dvt(const std::vector<std::string>& args, const DvtRunOptions& options) const {
  std::vector<std::string> full = {"--profiles-dir", dir_.path()};
  full.insert(full.end(), args.begin(), args.end());
  DvtRunOptions with_cwd = options;
  if (with_cwd.cwd.empty()) with_cwd.cwd = dir_.path();
  return run_dvt(full, with_cwd);
}

long differing_rows(PgTestConnection& db, const std::string& left, const std::string& right) {
  return std::stol(
      db.value(fmt::format("SELECT (SELECT count(*) FROM (SELECT l::text FROM {0} l EXCEPT ALL "
                           "SELECT r::text FROM {1} r) missing) + "
                           "(SELECT count(*) FROM (SELECT r::text FROM {1} r EXCEPT ALL SELECT "
                           "l::text FROM {0} l) extra)",
                           left, right)));
}

}  // namespace dvt::test::pgtest
