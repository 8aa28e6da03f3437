// How statements and rows reach one ClickHouse server. Two tiers implement
// the same interface: the native tier speaks ClickHouse's HTTP interface
// through libcurl (ch_http.cc), the pipe tier runs clickhouse-client as a
// child per statement (ch_client.cc). The catalog, the reader and the writer
// work through either.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "connectors/clickhouse/ch_types.h"
#include "core/error.h"

namespace dvt {
class OutputConfig;
}

namespace dvt::ch {

// A tier the server or the machine cannot serve (HTTP port unreachable,
// clickhouse-client not installed) while another tier may. A wrong
// password or a failing statement is a plain ConnectionError or DataError.
using dvt::TierUnavailable;

// Query-level settings, sent as URL parameters (HTTP) or --name=value (client).
using Settings = std::vector<std::pair<std::string, std::string>>;

// Where and how to connect; from a profiles.yml output. The password only
// ever reaches an HTTP header and a 0600 client configuration file.
struct ChConfig {
  std::string output;  // the profiles.yml output name, for messages
  std::string host = "localhost";
  int http_port = 8123;
  int native_port = 9000;
  std::string user = "default";
  std::string password;
  std::string database = "default";
  bool secure = false;
  int connect_timeout = 10;  // seconds
  StringRule strings = StringRule::kText;

  // Reads type: clickhouse fields (host, port, native_port, user, password,
  // database or schema, secure, connect_timeout, strings). Throws ConfigError.
  static ChConfig from(const OutputConfig& output);
  // "output 'ch' (127.0.0.1:8123)" for messages.
  std::string label(bool native_port_used = false) const;
};

// Bytes of a running query's output, pulled as they arrive.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes; returns 0 once the output is complete and the
  // query succeeded. Throws ConnectionError/DataError when it failed.
  virtual size_t read(char* buffer, size_t size) = 0;
};

// The data of a running INSERT, pushed as it is produced. Destroying a sink
// without finish() cancels the statement.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Sends `block` (and clears it). Throws when the server has failed the
  // statement (with its message).
  virtual void write(std::string& block) = 0;
  // Ends the data and waits for the statement to succeed; throws otherwise.
  virtual void finish() = 0;
};

class ChSession {
 public:
  virtual ~ChSession() = default;
  // "native" (HTTP) or "pipe" (clickhouse-client).
  virtual const char* method() const = 0;
  // Runs a statement that returns no rows.
  virtual void execute(const std::string& sql, const Settings& settings = {}) = 0;
  // Runs a query (which names its FORMAT) and returns all of its output:
  // for catalog-sized results only.
  virtual std::string query(const std::string& sql, const Settings& settings = {}) = 0;
  // Starts a query (which names its FORMAT) whose output is read as it arrives.
  virtual std::unique_ptr<ByteSource> open_query(const std::string& sql,
                                                 const Settings& settings = {}) = 0;
  // Starts an `INSERT ... FORMAT ...` whose data is written as it is produced.
  virtual std::unique_ptr<ByteSink> open_insert(const std::string& sql,
                                                const Settings& settings = {}) = 0;
  // Cleanup after a failure or Ctrl-C (dropping a staging table) must run to
  // its end: with false, statements ignore the interrupt flag and give up
  // after a minute instead.
  virtual void set_interruptible(bool interruptible) = 0;
};

// The native tier. Throws TierUnavailable on the first statement when the
// HTTP interface cannot be reached.
std::unique_ptr<ChSession> open_http_session(const ChConfig& config);
// The pipe tier. Throws TierUnavailable when no clickhouse-client (or
// `clickhouse client`) is installed.
std::unique_ptr<ChSession> open_client_session(const ChConfig& config);

// A server error text ("Code: 60, e.displayText() = DB::Exception: Table
// dvt.x doesn't exist., e.what() = DB::Exception") as one short sentence.
std::string server_message(const std::string& text);
// The ClickHouse error code at the start of a server error text, or -1.
int server_error_code(const std::string& text);
// Throws the error a failed statement deserves: ConnectionError for
// authentication problems, DataError otherwise.
[[noreturn]] void throw_server_error(const ChConfig& config, const std::string& text,
                                     const std::string& sql, bool native_port);

}  // namespace dvt::ch
