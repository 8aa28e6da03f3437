// A thin RAII layer over libpq: PgResult owns a PGresult, PgConnection owns a
// PGconn, PgCopyBuffer owns one PQgetCopyData buffer. Nothing else in dvt
// calls PQclear, PQfinish or PQfreemem.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace dvt::pg {

// A tier (binary COPY, a psql pipe) that the server or the machine cannot
// serve, while another tier may (see core/error.h).
using dvt::TierUnavailable;

// Where and how to connect; built from a profiles.yml output. The password
// only ever reaches libpq's keyword array and a child's environment.
struct PgConnectionConfig {
  std::string output;  // the profiles.yml output name, for messages
  std::string host = "localhost";
  std::string port = "5432";
  std::string user;
  std::string password;
  std::string dbname;
  std::string sslmode;          // empty: libpq's default (prefer)
  std::string connect_timeout;  // seconds
  std::string keepalives_idle;  // seconds
  std::string search_path;      // SET search_path after connecting, when given
  std::string application_name = "dvt";

  // "host:port", for messages.
  std::string endpoint() const { return host + ":" + port; }
};

// Owns one PGresult.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* adopted) : result_(adopted) {}
  ~PgResult() { PQclear(result_); }
  PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  PgResult& operator=(PgResult&& other) noexcept {
    std::swap(result_, other.result_);
    return *this;
  }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  PGresult* get() const { return result_; }
  explicit operator bool() const { return result_ != nullptr; }
  ExecStatusType status() const { return PQresultStatus(result_); }
  int rows() const { return PQntuples(result_); }
  int columns() const { return PQnfields(result_); }
  bool is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
  std::string_view value(int row, int column) const {
    return {PQgetvalue(result_, row, column),
            static_cast<size_t>(PQgetlength(result_, row, column))};
  }
  std::string text(int row, int column) const { return std::string(value(row, column)); }
  // The row count of the command tag ("COPY 42" -> 42); 0 when there is none.
  uint64_t command_rows() const;
  // The SQLSTATE of an error result ("23514"), or "".
  std::string sqlstate() const;

 private:
  PGresult* result_ = nullptr;
};

// Owns one buffer returned by PQgetCopyData.
class PgCopyBuffer {
 public:
  PgCopyBuffer() = default;
  ~PgCopyBuffer() { reset(); }
  PgCopyBuffer(const PgCopyBuffer&) = delete;
  PgCopyBuffer& operator=(const PgCopyBuffer&) = delete;
  void reset() {
    if (data_) PQfreemem(data_);
    data_ = nullptr;
    size_ = 0;
  }
  const char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  friend class PgConnection;
  char* data_ = nullptr;
  size_t size_ = 0;
};

// One connection. Move-only. Blocking, except that waits for the server poll
// for Ctrl-C and cancel the running statement when it arrives.
class PgConnection {
 public:
  // Connects and applies the session settings every dvt statement relies on
  // (UTF8 client encoding, UTC, ISO dates, exact float text). Throws
  // ConnectionError "output 'x' (host:port): <reason>: check profiles.yml
  // output 'x'"; the message never holds the password.
  explicit PgConnection(const PgConnectionConfig& config, bool session_settings = true);
  ~PgConnection();
  PgConnection(PgConnection&& other) noexcept
      : conn_(std::exchange(other.conn_, nullptr)),
        cancel_(std::exchange(other.cancel_, nullptr)),
        label_(std::move(other.label_)) {}
  PgConnection& operator=(PgConnection&&) = delete;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  PGconn* get() const { return conn_; }
  // "output 'x' (host:port)", for messages.
  const std::string& label() const { return label_; }
  int server_version() const { return PQserverVersion(conn_); }

  // Runs one statement (no parameters) and returns its result. Throws (see
  // raise()) unless it succeeded.
  PgResult execute(const std::string& sql);
  // Runs one statement with text parameters.
  PgResult execute(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                   int result_format = 0);
  // Runs a statement, ignoring any error (ROLLBACK on a failing path).
  void execute_quietly(const std::string& sql) noexcept;

  // COPY ... TO STDOUT: starts it; then read buffers until get_copy_data
  // returns false, which also checks the final status.
  void begin_copy_out(const std::string& sql);
  // Fills `buffer` with the next CopyData message. Returns false at the end.
  bool get_copy_data(PgCopyBuffer& buffer);

  // COPY ... FROM STDIN: starts it, sends data, ends it (returning the rows
  // the server stored) or aborts it (the server then fails the statement).
  void begin_copy_in(const std::string& sql);
  void put_copy_data(const char* data, size_t size);
  uint64_t end_copy_in();
  void abort_copy_in(const char* reason) noexcept;

  // Sends a cancel request for the running statement. Never throws; safe
  // to call from any thread.
  void cancel() noexcept;
  // Makes every later wait for the server throw at once (and cancels the
  // running statement): lets another thread stop one blocked in a COPY.
  void abandon() noexcept;

  // Throws the dvt error matching `result` (or the connection's error when
  // null): ConnectionError when the connection broke, Interrupted after a
  // cancel for Ctrl-C, DataError otherwise, prefixed with `what`.
  [[noreturn]] void raise(const std::string& what, const PgResult& result) const;

  // True while the connection is usable.
  bool ok() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

 private:
  // raise() for a COPY the server refused; TierUnavailable when the server
  // does not support that form of COPY.
  [[noreturn]] void raise_copy_refused(const PgResult& result) const;
  // Waits until the socket is readable (or writable), polling for Ctrl-C.
  void wait_socket(bool for_write);
  PgResult get_result();

  PGconn* conn_ = nullptr;
  PGcancel* cancel_ = nullptr;  // made once: PQcancel on it is thread-safe, PQgetCancel is not
  std::atomic<bool> abandoned_{false};
  std::string label_;
};

// "ident" quoted for PostgreSQL: "a""b". Works without a connection, for
// every identifier dvt puts into SQL.
std::string quote_identifier(std::string_view identifier);
// 'it''s' as a standard-conforming string literal.
std::string quote_literal(std::string_view value);

}  // namespace dvt::pg
