#include "connectors/registry.h"

#include <curl/curl.h>
#include <duckdb.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>
#include <sys/utsname.h>

#include <fstream>

#include <fmt/format.h>

namespace dvt {

namespace {

const InstallHints kPostgresHints = {"brew install libpq && brew link --force libpq",
                                     "apt-get install postgresql-client", "dnf install postgresql",
                                     "apk add postgresql-client",
                                     "https://www.postgresql.org/docs/current/app-psql.html"};
const InstallHints kMysqlHints = {"brew install mysql-client", "apt-get install mariadb-client",
                                  "dnf install mariadb", "apk add mariadb-client",
                                  "https://mariadb.com/kb/en/mariadb-command-line-client/"};
const InstallHints kClickhouseHints = {"brew install --cask clickhouse",
                                       "apt-get install clickhouse-client",
                                       "dnf install clickhouse-client", "apk add clickhouse",
                                       "https://clickhouse.com/docs/en/interfaces/cli"};
const InstallHints kSqlServerHints = {"brew install freetds",
                                      "apt-get install freetds-bin (freebcp), or mssql-tools18 "
                                      "from Microsoft's repository (bcp, sqlcmd)",
                                      "dnf install freetds", "apk add freetds",
                                      "https://learn.microsoft.com/sql/tools/bcp-utility"};
const InstallHints kOracleHints = {
    "brew install --cask sqlcl",
    "download Oracle Instant Client (sqlplus) or SQLcl (sql) from oracle.com",
    "dnf install oracle-instantclient-sqlplus (Oracle's repository)",
    "download Oracle Instant Client from oracle.com",
    "https://docs.oracle.com/en/database/oracle/sql-developer-command-line/"};

const ToolInfo kPsql = {{"psql"}, {"--version"}, R"(\(PostgreSQL\) ([0-9][0-9.]*))"};
const ToolInfo kMysql = {
    {"mysql"}, {"--version"}, R"((?:Distrib |Ver (?!.*Distrib))([0-9][0-9.]*))"};
const ToolInfo kMariadb = {
    {"mariadb"}, {"--version"}, R"((?:Distrib |Ver (?!.*Distrib))([0-9][0-9.]*))"};
const ToolInfo kClickhouseClient = {
    {"clickhouse-client"}, {"--version"}, R"(version ([0-9][0-9.]*[0-9]))"};
const ToolInfo kClickhouse = {
    {"clickhouse", "client"}, {"--version"}, R"(version ([0-9][0-9.]*[0-9]))"};
const ToolInfo kBcp = {{"bcp"}, {"-v"}, R"(Version[: ]+v?([0-9][0-9.]*))"};
const ToolInfo kFreebcp = {{"freebcp"}, {"-v"}, R"(freetds v?([0-9][0-9.]*))"};
const ToolInfo kSqlcmd = {{"sqlcmd"}, {"-?"}, R"(Version ([0-9][0-9.]*))"};
const ToolInfo kSqlplus = {{"sqlplus"}, {"-V"}, R"(Release ([0-9][0-9.]*))"};
const ToolInfo kSqlcl = {{"sql"}, {"-V"}, R"(([0-9]+\.[0-9][0-9.]*))"};

}  // namespace

std::string ToolInfo::display() const {
  std::string out;
  for (const auto& part : command) {
    if (!out.empty()) out += ' ';
    out += part;
  }
  return out;
}

std::string_view InstallHints::for_platform(std::string_view platform) const {
  if (platform == "macos") return brew;
  if (platform == "debian") return apt;
  if (platform == "rhel") return dnf;
  if (platform == "alpine") return apk;
  return "";
}

const std::vector<AdapterInfo>& adapters() {
  static const std::vector<AdapterInfo> kAdapters = {
      {"duckdb", {}, {"path"}, true, "duckdb (embedded)", {}, "", false, {}, {Method::kNative}},
      {"sqlite",
       {"sqlite3"},
       {"path"},
       true,
       "sqlite3",
       {},
       "SQLite",
       false,
       {},
       {Method::kNative}},
      // Any database with an ODBC driver; its SQL from `dialect:` or the DBMS name.
      {"odbc", {}, {"dsn|driver"}, true, "", {}, "", false, {}, {Method::kOdbc}},
      {"postgres",
       {"postgresql", "greenplum", "timescaledb", "alloydb", "citus", "neon", "cockroachdb",
        "materialize", "risingwave", "cratedb"},
       {"host", "user", "dbname|database"},
       true,
       "libpq",
       {kPsql},
       "PostgreSQL",
       false,
       kPostgresHints,
       {Method::kNative, Method::kPipe, Method::kOdbc}},
      {"mysql",
       {"mariadb", "tidb", "singlestore", "aurora_mysql", "planetscale", "vitess"},
       {"host", "user"},
       true,
       "libmariadb",
       {kMysql, kMariadb},
       "MySQL|MariaDB",
       false,
       kMysqlHints,
       {Method::kNative, Method::kPipe, Method::kOdbc}},
      {"clickhouse",
       {},
       {"host"},
       true,
       "HTTP (libcurl)",
       {kClickhouseClient, kClickhouse},
       "ClickHouse",
       false,
       kClickhouseHints,
       {Method::kNative, Method::kPipe}},
      {"sqlserver",
       {"synapse", "fabric"},
       {"host"},
       false,
       "",
       {kBcp, kFreebcp, kSqlcmd},
       "SQL Server",
       false,
       kSqlServerHints},
      {"oracle", {}, {"user"}, false, "", {kSqlplus, kSqlcl}, "Oracle", false, kOracleHints},
      {"snowflake", {}, {"account"}, false, "", {}, "Snowflake", true, {}},
      {"bigquery", {}, {}, false, "", {}, "BigQuery", true, {}},
      {"redshift", {}, {"host"}, false, "", {kPsql}, "Redshift", true, kPostgresHints},
      {"databricks", {}, {"host"}, false, "", {}, "Databricks|Simba Spark", true, {}},
      {"athena", {}, {}, false, "", {}, "Athena", true, {}},
  };
  return kAdapters;
}

const AdapterInfo* find_adapter(const std::string& type) {
  for (const auto& adapter : adapters()) {
    if (adapter.type == type) return &adapter;
    for (const auto& alias : adapter.aliases) {
      if (alias == type) return &adapter;
    }
  }
  return nullptr;
}

std::string known_adapter_names() {
  std::vector<std::string_view> names;
  for (const auto& adapter : adapters()) {
    names.push_back(adapter.type);
    for (const auto& alias : adapter.aliases) names.push_back(alias);
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string install_hint(const AdapterInfo& adapter, const std::string& platform) {
  std::string_view hint = adapter.pipe_install.for_platform(platform);
  if (!hint.empty()) return fmt::format("install it with: {}", hint);
  if (!adapter.pipe_install.docs.empty()) return fmt::format("see {}", adapter.pipe_install.docs);
  return "";
}

std::string detect_platform() {
  struct utsname name;
  if (uname(&name) == 0 && std::string_view(name.sysname) == "Darwin") return "macos";
  std::ifstream release("/etc/os-release");
  std::string line, ids;
  while (std::getline(release, line)) {
    if (line.starts_with("ID=") || line.starts_with("ID_LIKE=")) {
      ids.push_back(' ');
      ids.append(line, line.find('=') + 1);
    }
  }
  for (char& c : ids) {
    if (c == '"') c = ' ';
  }
  auto has = [&](std::string_view word) { return ids.find(word) != std::string::npos; };
  if (has("alpine")) return "alpine";
  if (has("debian") || has("ubuntu")) return "debian";
  if (has("rhel") || has("fedora") || has("centos")) return "rhel";
  return "unknown";
}

std::string native_driver_version(const AdapterInfo& adapter) {
  if (adapter.type == "postgres") {
    int version = PQlibVersion();
    return fmt::format("{}.{}", version / 10000, version % 10000);
  }
  if (adapter.type == "mysql") return mysql_get_client_info();
  if (adapter.type == "clickhouse")
    return std::string("libcurl ") + curl_version_info(CURLVERSION_NOW)->version;
  if (adapter.type == "sqlite") return sqlite3_libversion();
  if (adapter.type == "duckdb") return duckdb_library_version();
  return "";
}

}  // namespace dvt
