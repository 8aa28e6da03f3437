#include "support/services.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <system_error>

namespace dvt::test {
namespace {

std::string server_name(const std::string& prefix) {
  if (prefix == "PG") return "PostgreSQL";
  if (prefix == "MYSQL") return "MariaDB";
  if (prefix == "CH") return "ClickHouse";
  return prefix;
}

std::string services_env_path() {
  const char* dir = std::getenv("DVT_SERVICES_DIR");
  return std::string(dir && *dir ? dir : "/tmp/dvt-services") + "/services.env";
}

// KEY=value pairs of the `export KEY=value` lines scripts/services writes.
std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::map<std::string, std::string> values;
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line.erase(0, 7);
    size_t equals = line.find('=');
    if (equals == std::string::npos || equals == 0) continue;
    values[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return values;
}

[[noreturn]] void fail(const std::string& message) {
  ADD_FAILURE() << message;
  throw std::runtime_error(message);
}

}  // namespace

ServerEnv require_server(const std::string& prefix) {
  const std::string name = server_name(prefix);
  const std::string not_configured =
      name + " test server not configured: run the suite through scripts/test, which starts it";
  std::map<std::string, std::string> file;
  bool file_read = false;
  auto get = [&](const std::string& suffix) -> std::string {
    const std::string variable = "DVT_TEST_" + prefix + "_" + suffix;
    if (const char* value = std::getenv(variable.c_str()); value && *value) return value;
    if (!file_read) {
      file = read_env_file(services_env_path());
      file_read = true;
    }
    auto found = file.find(variable);
    return found == file.end() ? std::string() : found->second;
  };
  auto require = [&](const std::string& suffix) -> std::string {
    std::string value = get(suffix);
    if (value.empty()) {
      fail(not_configured + " (DVT_TEST_" + prefix + "_" + suffix +
           " is not set; or `scripts/services start` and `source " + services_env_path() + "`)");
    }
    return value;
  };
  auto port = [&](const std::string& suffix) -> int {
    std::string text = require(suffix);
    try {
      size_t used = 0;
      int value = std::stoi(text, &used);
      if (used == text.size() && value > 0 && value < 65536) return value;
    } catch (const std::exception&) {
    }
    fail(name + " test server misconfigured: DVT_TEST_" + prefix + "_" + suffix + "='" + text +
         "' is not a port");
  };

  ServerEnv env;
  env.host = require("HOST");
  if (prefix == "CH") {
    env.port = port("HTTP_PORT");
    env.native_port = port("NATIVE_PORT");
  } else {
    env.port = port("PORT");
    env.native_port = env.port;
  }
  env.user = require("USER");
  env.password = get("PASSWORD");
  env.database = require("DB");
  env.socket = get("SOCKET");
  env.log_path = get("LOG");
  return env;
}

std::string write_profiles(const std::string& dir, const std::string& yaml) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw std::runtime_error("cannot create " + dir + ": " + error.message());
  const std::string path = (fs::path(dir) / "profiles.yml").string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path);
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace,
                    error);
    out << yaml;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + path);
  }
  return path;
}

}  // namespace dvt::test
