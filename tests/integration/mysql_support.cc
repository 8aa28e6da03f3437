#include "integration/mysql_support.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>

#include "support/services.h"

namespace dvt::test {

MysqlServer mysql_server() {
  ServerEnv env = require_server("MYSQL");
  MysqlServer server;
  server.host = env.host;
  server.port = static_cast<unsigned>(env.port);
  server.user = env.user;
  server.password = env.password;
  server.database = env.database;
  server.socket = env.socket;
  server.log_path = env.log_path;
  return server;
}

MysqlTestConnection::MysqlTestConnection() {
  MysqlServer server = mysql_server();
  mysql_ = mysql_init(nullptr);
  mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  unsigned local_infile = 0;
  mysql_optionsv(mysql_, MYSQL_OPT_LOCAL_INFILE, &local_infile);
  if (!mysql_real_connect(mysql_, server.host.c_str(), server.user.c_str(), server.password.c_str(),
                          server.database.c_str(), server.port, nullptr, CLIENT_MULTI_STATEMENTS)) {
    std::string error = mysql_error(mysql_);
    mysql_close(mysql_);
    mysql_ = nullptr;
    throw std::runtime_error("cannot connect to the MariaDB test server: " + error);
  }
  exec("SET time_zone = '+00:00', SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
}

MysqlTestConnection::~MysqlTestConnection() {
  if (mysql_) mysql_close(mysql_);
}

void MysqlTestConnection::exec(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    throw std::runtime_error("test SQL failed: " + std::string(mysql_error(mysql_)) +
                             " in: " + sql);
  }
  // Drain every result of a multi-statement batch.
  for (;;) {
    if (MYSQL_RES* result = mysql_store_result(mysql_)) mysql_free_result(result);
    int more = mysql_next_result(mysql_);
    if (more < 0) break;
    if (more > 0) {
      throw std::runtime_error("test SQL failed: " + std::string(mysql_error(mysql_)) +
                               " in: " + sql);
    }
  }
}

MysqlTestRows MysqlTestConnection::query(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    throw std::runtime_error("test SQL failed: " + std::string(mysql_error(mysql_)) +
                             " in: " + sql);
  }
  MYSQL_RES* result = mysql_store_result(mysql_);
  MysqlTestRows rows;
  if (!result) return rows;
  unsigned columns = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    std::vector<std::optional<std::string>> values;
    for (unsigned i = 0; i < columns; ++i) {
      if (row[i]) {
        values.emplace_back(std::string(row[i], lengths[i]));
      } else {
        values.emplace_back(std::nullopt);
      }
    }
    rows.push_back(std::move(values));
  }
  mysql_free_result(result);
  return rows;
}

std::string MysqlTestConnection::value(const std::string& sql) {
  MysqlTestRows rows = query(sql);
  if (rows.empty() || rows[0].empty()) throw std::runtime_error("no rows from: " + sql);
  return rows[0][0].value_or("NULL");
}

void write_mysql_profiles(const std::string& dir, const std::vector<std::string>& extra,
                          const std::string& type) {
  MysqlServer server = mysql_server();
  std::string text = "test:\n  target: my\n  outputs:\n    my:\n";
  text += "      type: " + type + "\n";
  text += "      host: " + server.host + "\n";
  text += "      port: " + std::to_string(server.port) + "\n";
  text += "      user: " + server.user + "\n";
  // The password from the environment, as a real profile would hold it.
  text += "      password: \"{{ env_var('DVT_TEST_MYSQL_PASSWORD') }}\"\n";
  text += "      database: " + server.database + "\n";
  for (const auto& line : extra) text += "      " + line + "\n";
  write_profiles(dir, text);
}

LocalInfileLock::LocalInfileLock() {
  if (connection_.value("SELECT GET_LOCK('dvt_test_local_infile', 600)") != "1") {
    throw std::runtime_error("could not take the local_infile test lock");
  }
}

LocalInfileLock::~LocalInfileLock() {
  try {
    connection_.exec("DO RELEASE_LOCK('dvt_test_local_infile')");
  } catch (...) {
  }
}

DvtRun run_dvt_in(const std::string& dir, const std::vector<std::string>& args, bool take_lock) {
  std::optional<LocalInfileLock> lock;
  if (take_lock) lock.emplace();
  std::vector<std::string> full = {"--profiles-dir", dir};
  full.insert(full.end(), args.begin(), args.end());
  DvtRunOptions options;
  options.environment.emplace_back("DVT_TEST_MYSQL_PASSWORD", mysql_server().password);
  return run_dvt(full, options);
}

uint64_t query_log_size() {
  std::error_code error;
  uint64_t size = std::filesystem::file_size(mysql_server().log_path, error);
  if (error) throw std::runtime_error("cannot read the query log: " + error.message());
  return size;
}

std::string query_log_since(uint64_t offset) {
  std::ifstream log(mysql_server().log_path, std::ios::binary);
  if (!log) throw std::runtime_error("cannot open the query log " + mysql_server().log_path);
  log.seekg(static_cast<std::streamoff>(offset));
  return std::string(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>());
}

long differing_rows(MysqlTestConnection& connection, const std::string& left,
                    const std::string& right) {
  MysqlTestRows columns = connection.query(
      "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
      "TABLE_NAME = '" +
      left + "' ORDER BY ORDINAL_POSITION");
  if (columns.empty()) throw std::runtime_error("no table " + left);
  std::string same;
  for (const auto& row : columns) {
    std::string c = "`" + *row[0] + "`";
    if (!same.empty()) same += " AND ";
    same += "(l." + c + " <=> r." + c + ") AND (CAST(l." + c + " AS BINARY) <=> CAST(r." + c +
            " AS BINARY))";
  }
  std::string differing = connection.value("SELECT COUNT(*) FROM `" + left + "` l JOIN `" + right +
                                           "` r ON l.id = r.id WHERE NOT (" + same + ")");
  std::string only_left = connection.value("SELECT COUNT(*) FROM `" + left + "` l LEFT JOIN `" +
                                           right + "` r ON l.id = r.id WHERE r.id IS NULL");
  std::string only_right = connection.value("SELECT COUNT(*) FROM `" + right + "` r LEFT JOIN `" +
                                            left + "` l ON l.id = r.id WHERE l.id IS NULL");
  return std::stol(differing) + std::stol(only_left) + std::stol(only_right);
}

}  // namespace dvt::test
