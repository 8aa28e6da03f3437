#include "integration/clickhouse_support.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace dvt::test::chtest {
namespace {

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::string unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char e = text[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '0':
        out += '\0';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'N':
        out += "\\N";
        break;
      default:
        out += e;
    }
  }
  return out;
}

// A loopback port nothing listens on: bound, read and released.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 9;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

}  // namespace

ServerEnv ch_env() {
  return require_server("CH");
}

ChTestConnection::ChTestConnection() : env_(ch_env()) {}

std::string ChTestConnection::post(const std::string& url_query, const std::string& body) {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
  auto add = [&](const std::string& header) {
    headers.reset(curl_slist_append(headers.release(), header.c_str()));
  };
  add("X-ClickHouse-User: " + env_.user);
  add("X-ClickHouse-Key: " + env_.password);
  add("Expect:");
  std::string url = fmt::format("http://{}:{}/?{}", env_.host, env_.port, url_query);
  std::string response;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response);
  CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK)
    throw std::runtime_error(std::string("ClickHouse test request failed: ") +
                             curl_easy_strerror(code));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    throw std::runtime_error(fmt::format("ClickHouse: {} (in: {})", response, body.substr(0, 500)));
  return response;
}

void ChTestConnection::exec(const std::string& sql, const std::string& settings) {
  post("allow_experimental_low_cardinality_type=1" + (settings.empty() ? "" : "&" + settings), sql);
}

std::string ChTestConnection::raw(const std::string& sql) {
  return post("", sql);
}

ChRows ChTestConnection::rows(const std::string& sql) {
  std::string text = raw(sql + " FORMAT TabSeparated");
  ChRows rows;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::vector<std::string> row;
    std::string_view line(text.data() + start, end - start);
    size_t field = 0;
    while (true) {
      size_t tab = line.find('\t', field);
      row.push_back(unescape(line.substr(field, tab == line.npos ? line.npos : tab - field)));
      if (tab == line.npos) break;
      field = tab + 1;
    }
    rows.push_back(std::move(row));
    start = end + 1;
  }
  return rows;
}

std::string ChTestConnection::value(const std::string& sql) {
  ChRows result = rows(sql);
  return result.empty() || result[0].empty() ? "" : result[0][0];
}

void ChTestConnection::insert(const std::string& insert_sql, const std::string& data) {
  std::unique_ptr<char, void (*)(char*)> escaped(
      curl_easy_escape(nullptr, insert_sql.data(), static_cast<int>(insert_sql.size())),
      [](char* p) { curl_free(p); });
  post(std::string("query=") + escaped.get(), data);
}

ChTestDatabase::ChTestDatabase(const std::string& name,
                               const std::vector<std::string>& extra_profile_lines)
    : name_(fmt::format("dvt_{}_{}", name, ::getpid())) {
  db_.exec(fmt::format("DROP DATABASE IF EXISTS `{}`", name_));
  db_.exec(fmt::format("CREATE DATABASE `{}`", name_));
  write_profiles(extra_profile_lines);
}

ChTestDatabase::~ChTestDatabase() {
  try {
    db_.exec(fmt::format("DROP DATABASE IF EXISTS `{}`", name_));
  } catch (const std::exception&) {
    // A failing test has already said why.
  }
}

void ChTestDatabase::write_profiles(const std::vector<std::string>& extra_lines,
                                    const std::string& more_outputs) {
  const ServerEnv& env = db_.env();
  std::string extra;
  for (const auto& line : extra_lines) extra += "      " + line + "\n";
  auto output = [&](const std::string& output_name, int http_port) {
    return fmt::format(
        "    {}:\n      type: clickhouse\n      host: {}\n      port: {}\n      native_port: {}\n"
        "      user: {}\n      password: \"{}\"\n      database: {}\n{}",
        output_name, env.host, http_port, env.native_port, env.user, env.password, name_, extra);
  };
  std::string yaml = "test:\n  target: ch\n  outputs:\n" + output("ch", env.port) +
                     output("ch_nohttp", closed_port());
  size_t start = 0;
  while (start < more_outputs.size()) {
    size_t end = more_outputs.find('\n', start);
    if (end == std::string::npos) end = more_outputs.size();
    yaml += "    " + more_outputs.substr(start, end - start) + "\n";
    start = end + 1;
  }
  dvt::test::write_profiles(dir_.path(), yaml);
}

DvtRun ChTestDatabase::dvt(const std::vector<std::string>& args,
                           const DvtRunOptions& options) const {
  std::vector<std::string> full = {"--profiles-dir", dir_.path()};
  full.insert(full.end(), args.begin(), args.end());
  DvtRunOptions with_cwd = options;
  if (with_cwd.cwd.empty()) with_cwd.cwd = dir_.path();
  return run_dvt(full, with_cwd);
}

long differing_rows(ChTestConnection& db, const std::string& left, const std::string& right,
                    const std::string& extra) {
  auto lines = [&](const std::string& table) {
    std::string select = extra.empty() ? "*" : "*, " + extra;
    std::string text = db.raw(fmt::format("SELECT {} FROM {} FORMAT TabSeparated", select, table));
    std::map<std::string, long> counts;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      ++counts[text.substr(start, end - start)];
      start = end + 1;
    }
    return counts;
  };
  auto a = lines(left);
  auto b = lines(right);
  long differing = 0;
  for (const auto& [line, count] : a) {
    auto found = b.find(line);
    long other = found == b.end() ? 0 : found->second;
    differing += std::max(0L, count - other);
  }
  for (const auto& [line, count] : b) {
    auto found = a.find(line);
    long other = found == a.end() ? 0 : found->second;
    differing += std::max(0L, count - other);
  }
  return differing;
}

std::vector<pid_t> child_pids(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid ...": comm may hold spaces, so parse after the last ')'.
    size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %ld", &state, &ppid) == 2 && ppid == parent) {
      children.push_back(static_cast<pid_t>(std::stol(name)));
    }
  }
  return children;
}

std::vector<std::string> command_line(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    args.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

}  // namespace dvt::test::chtest
