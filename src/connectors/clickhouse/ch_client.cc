// The pipe tier: clickhouse-client as a child per statement, speaking the
// native TCP protocol (native_port) to the server. Its output (a SELECT's
// rows) is read from its stdout, an INSERT's data written to its stdin.
//
// The password must not appear on its command line, where any local user
// can read it (/proc/PID/cmdline). The Debian client (18.16) reads no
// password from the environment and its --ask-password needs a terminal, so
// dvt writes host, port, user, password and database to a configuration
// file of the client's format (`--config-file`), mode 0600 in a private
// temp folder that is removed on every path.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "connectors/clickhouse/ch_session.h"
#include "connectors/pipe/child_process.h"
#include "connectors/pipe/tool_probe.h"
#include "connectors/registry.h"
#include "core/log.h"

namespace dvt::ch {
namespace {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A private folder (0700) holding the client's configuration file (0600).
// Removed with everything in it when destroyed.
class ClientConfigFile {
 public:
  explicit ClientConfigFile(const ChConfig& config) {
    std::string pattern = (std::filesystem::temp_directory_path() / "dvt-ch-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
      throw ConnectionError(
          fmt::format("{}: cannot create a temp folder for clickhouse-client's configuration: {}",
                      config.label(true), std::strerror(errno)));
    }
    dir_ = pattern;
    path_ = dir_ + "/client.xml";
    std::string body = fmt::format(
        "<config>\n  <host>{}</host>\n  <port>{}</port>\n  <user>{}</user>\n  "
        "<password>{}</password>\n"
        "  <database>{}</database>\n</config>\n",
        xml_escape(config.host), config.native_port, xml_escape(config.user),
        xml_escape(config.password), xml_escape(config.database));
    mode_t old_mask = ::umask(077);
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << body;
    out.close();
    ::umask(old_mask);
    ::chmod(path_.c_str(), 0600);
    if (!out) {
      remove();
      throw ConnectionError(fmt::format("{}: cannot write clickhouse-client's configuration file",
                                        config.label(true)));
    }
  }
  ~ClientConfigFile() { remove(); }
  ClientConfigFile(const ClientConfigFile&) = delete;
  ClientConfigFile& operator=(const ClientConfigFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  void remove() noexcept {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  std::string dir_;
  std::string path_;
};

// Throws the error a failed client run deserves.
[[noreturn]] void client_failed(const ChConfig& config, ChildProcess& child,
                                const std::string& sql) {
  std::string text = child.stderr_text();
  int code = server_error_code(text);
  // 209 SOCKET_TIMEOUT, 210 NETWORK_ERROR (connection refused): the native port is unreachable.
  if (code == 210 || code == 209) {
    throw ConnectionError(fmt::format("{}: clickhouse-client cannot reach the server: {}",
                                      config.label(true), server_message(text)));
  }
  if (code < 0) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    throw ConnectionError(fmt::format("{}: {} failed (exit {}): {}", config.label(true),
                                      child.name(), child.wait(), Logger::instance().redact(text)));
  }
  throw_server_error(config, text, sql, true);
}

class ChildSource : public ByteSource {
 public:
  ChildSource(const ChConfig& config, const ChildOptions& options, std::string sql)
      : config_(config), sql_(std::move(sql)), child_(options) {}

  size_t read(char* buffer, size_t size) override {
    size_t got = child_.read(buffer, size);
    if (got == 0 && child_.wait() != 0) client_failed(config_, child_, sql_);
    return got;
  }

 private:
  ChConfig config_;
  std::string sql_;
  ChildProcess child_;
};

class ChildSink : public ByteSink {
 public:
  ChildSink(const ChConfig& config, const ChildOptions& options, std::string sql)
      : config_(config), sql_(std::move(sql)), child_(options) {}

  void write(std::string& block) override {
    try {
      child_.write_all(block.data(), block.size());
    } catch (const ConnectionError&) {
      if (child_.wait() != 0) client_failed(config_, child_, sql_);
      throw;
    }
    block.clear();
  }

  void finish() override {
    child_.close_stdin();
    if (child_.wait() != 0) client_failed(config_, child_, sql_);
  }

 private:
  ChConfig config_;
  std::string sql_;
  ChildProcess child_;
};

class ClientSession : public ChSession {
 public:
  explicit ClientSession(const ChConfig& config) : config_(config) {
    // The registry's first client that answers its version.
    program_ = require_pipe_tool(*find_adapter("clickhouse"), config_.output).command;
    config_file_ = std::make_unique<ClientConfigFile>(config_);
  }

  const char* method() const override { return "pipe"; }

  void execute(const std::string& sql, const Settings& settings) override {
    ChildProcess child(options(sql, settings, false, false));
    if (child.wait() != 0) client_failed(config_, child, sql);
  }

  std::string query(const std::string& sql, const Settings& settings) override {
    ChildProcess child(options(sql, settings, false, true));
    std::string out;
    char buffer[64 * 1024];
    while (size_t n = child.read(buffer, sizeof(buffer))) out.append(buffer, n);
    if (child.wait() != 0) client_failed(config_, child, sql);
    return out;
  }

  std::unique_ptr<ByteSource> open_query(const std::string& sql,
                                         const Settings& settings) override {
    return std::make_unique<ChildSource>(config_, options(sql, settings, false, true), sql);
  }

  std::unique_ptr<ByteSink> open_insert(const std::string& sql, const Settings& settings) override {
    return std::make_unique<ChildSink>(config_, options(sql, settings, true, false), sql);
  }

  // A client child runs in its own process group, out of reach of Ctrl-C,
  // and waiting for it checks no interrupt flag: nothing to change.
  void set_interruptible(bool /*interruptible*/) override {}

 private:
  // Nothing secret in argv: the statement, settings and the path of the 0600 file.
  ChildOptions options(const std::string& sql, const Settings& settings, bool pipe_stdin,
                       bool pipe_stdout) const {
    ChildOptions options;
    options.argv = program_;
    options.argv.push_back("--config-file=" + config_file_->path());
    if (config_.secure) options.argv.emplace_back("--secure");
    for (const auto& [name, value] : settings)
      options.argv.push_back(fmt::format("--{}={}", name, value));
    options.argv.emplace_back("--query");
    options.argv.push_back(sql);
    options.pipe_stdin = pipe_stdin;
    options.pipe_stdout = pipe_stdout;
    return options;
  }

  ChConfig config_;
  std::vector<std::string> program_;
  std::unique_ptr<ClientConfigFile> config_file_;
};

}  // namespace

std::unique_ptr<ChSession> open_client_session(const ChConfig& config) {
  return std::make_unique<ClientSession>(config);
}

}  // namespace dvt::ch
