#include "connectors/postgres/pg_connection.h"

#include <poll.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"

namespace dvt::pg {
namespace {

// libpq messages end with a newline (sometimes several lines); one line reads better.
std::string tidy(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (auto& c : text) {
    if (c == '\n') c = ' ';
  }
  return Logger::instance().redact(text);
}

}  // namespace

uint64_t PgResult::command_rows() const {
  const char* tuples = PQcmdTuples(result_);
  if (!tuples || !*tuples) return 0;
  return std::strtoull(tuples, nullptr, 10);
}

std::string PgResult::sqlstate() const {
  const char* state = result_ ? PQresultErrorField(result_, PG_DIAG_SQLSTATE) : nullptr;
  return state ? state : "";
}

PgConnection::PgConnection(const PgConnectionConfig& config, bool session_settings)
    : label_(fmt::format("output '{}' ({})", config.output, config.endpoint())) {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  auto add = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    keys.push_back(key);
    values.push_back(value.c_str());
  };
  add("host", config.host);
  add("port", config.port);
  add("user", config.user);
  add("password", config.password);
  add("dbname", config.dbname);
  add("sslmode", config.sslmode);
  add("connect_timeout", config.connect_timeout);
  if (!config.keepalives_idle.empty()) {
    static const std::string kOn = "1";
    add("keepalives", kOn);
    add("keepalives_idle", config.keepalives_idle);
  }
  add("application_name", config.application_name);
  static const std::string kUtf8 = "UTF8";
  add("client_encoding", kUtf8);
  keys.push_back(nullptr);
  values.push_back(nullptr);
  // expand_dbname = 0: dbname is a name, never a conninfo string to parse.
  conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
  if (!conn_) throw ConnectionError(fmt::format("{}: out of memory while connecting", label_));
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string reason = tidy(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw ConnectionError(
        fmt::format("{}: {}: check profiles.yml output '{}'", label_, reason, config.output));
  }
  cancel_ = PQgetCancel(conn_);
  if (session_settings) {
    // Text forms dvt parses or hashes must not depend on the server's or the
    // user's defaults: instants in UTC, ISO dates, floats as their shortest
    // exact text, intervals in the postgres style.
    execute(
        "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; "
        "SET extra_float_digits = 3; SET bytea_output = 'hex'");
  }
  if (!config.search_path.empty()) execute("SET search_path = " + config.search_path);
}

PgConnection::~PgConnection() {
  if (cancel_) PQfreeCancel(cancel_);
  if (conn_) PQfinish(conn_);
}

void PgConnection::wait_socket(bool for_write) {
  int socket = PQsocket(conn_);
  if (socket < 0) throw ConnectionError(fmt::format("{}: connection lost", label_));
  bool cancelled = false;
  for (;;) {
    if (abandoned_.load())
      throw ConnectionError(fmt::format("{}: the statement was abandoned", label_));
    struct pollfd descriptor = {socket, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    int ready = ::poll(&descriptor, 1, 100);
    if (ready > 0) return;
    if (ready < 0 && errno != EINTR) {
      throw ConnectionError(
          fmt::format("{}: waiting for the server: {}", label_, std::strerror(errno)));
    }
    if (interrupted() && !cancelled) {
      // The server answers the cancel with an error on this statement; the
      // caller sees it and, since interrupted() is set, raises Interrupted.
      cancel();
      cancelled = true;
    }
  }
}

PgResult PgConnection::get_result() {
  while (PQisBusy(conn_)) {
    wait_socket(false);
    if (!PQconsumeInput(conn_)) break;
  }
  return PgResult(PQgetResult(conn_));
}

PgResult PgConnection::execute(const std::string& sql) {
  return execute(sql, {});
}

PgResult PgConnection::execute(const std::string& sql,
                               const std::vector<std::optional<std::string>>& params,
                               int result_format) {
  std::vector<const char*> values;
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  int sent = params.empty() && result_format == 0
                 ? PQsendQuery(conn_, sql.c_str())
                 : PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                     values.data(), nullptr, nullptr, result_format);
  if (!sent) raise("sending a statement", PgResult());
  // A multi-statement string yields one result per statement: keep the
  // first failure, or the last result.
  PgResult last;
  PgResult failure;
  for (;;) {
    PgResult result = get_result();
    if (!result) break;
    ExecStatusType status = result.status();
    if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
      throw InternalError("execute() used for a COPY statement");
    }
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && !failure) {
      failure = std::move(result);
    } else {
      last = std::move(result);
    }
  }
  if (failure) raise("", failure);
  if (!last) raise("", last);
  return last;
}

void PgConnection::execute_quietly(const std::string& sql) noexcept {
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) return;
  // Plain blocking PQexec: this runs on failure paths, where waiting for the
  // answer matters more than reacting to a second Ctrl-C.
  PQclear(PQexec(conn_, sql.c_str()));
}

void PgConnection::begin_copy_out(const std::string& sql) {
  if (!PQsendQuery(conn_, sql.c_str())) raise("starting COPY", PgResult());
  PgResult result = get_result();
  if (result.status() != PGRES_COPY_OUT) {
    // Drain the rest so the connection stays usable.
    while (PgResult(PQgetResult(conn_))) {
    }
    raise_copy_refused(result);
  }
}

bool PgConnection::get_copy_data(PgCopyBuffer& buffer) {
  buffer.reset();
  for (;;) {
    int got = PQgetCopyData(conn_, &buffer.data_, 1);
    if (got > 0) {
      buffer.size_ = static_cast<size_t>(got);
      return true;
    }
    if (got == 0) {
      wait_socket(false);
      if (!PQconsumeInput(conn_)) raise("reading COPY data", PgResult());
      continue;
    }
    if (got == -2) raise("reading COPY data", PgResult());
    // -1: the COPY is over; its final result tells whether it succeeded.
    PgResult result = get_result();
    while (PgResult(PQgetResult(conn_))) {
    }
    if (result.status() != PGRES_COMMAND_OK) raise("", result);
    return false;
  }
}

void PgConnection::begin_copy_in(const std::string& sql) {
  if (!PQsendQuery(conn_, sql.c_str())) raise("starting COPY", PgResult());
  PgResult result = get_result();
  if (result.status() != PGRES_COPY_IN) {
    while (PgResult(PQgetResult(conn_))) {
    }
    raise_copy_refused(result);
  }
}

void PgConnection::put_copy_data(const char* data, size_t size) {
  while (size > 0) {
    // PQputCopyData takes an int length; send huge buffers in pieces.
    int piece = static_cast<int>(std::min<size_t>(size, 1 << 30));
    if (PQputCopyData(conn_, data, piece) != 1) {
      // The server may already have failed the COPY (a bad value): its
      // error explains more than the broken send.
      PgResult result(PQgetResult(conn_));
      if (result && result.status() == PGRES_FATAL_ERROR) raise("", result);
      raise("sending COPY data", PgResult());
    }
    data += piece;
    size -= static_cast<size_t>(piece);
  }
}

uint64_t PgConnection::end_copy_in() {
  if (PQputCopyEnd(conn_, nullptr) != 1) raise("ending COPY", PgResult());
  PgResult result = get_result();
  while (PgResult(PQgetResult(conn_))) {
  }
  if (result.status() != PGRES_COMMAND_OK) raise("", result);
  return result.command_rows();
}

void PgConnection::abort_copy_in(const char* reason) noexcept {
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) return;
  if (PQputCopyEnd(conn_, reason) == 1) {
    // The server answers with an error for the COPY; consume it.
    while (PGresult* result = PQgetResult(conn_)) PQclear(result);
  }
}

void PgConnection::cancel() noexcept {
  if (!cancel_) return;
  char error[256];
  PQcancel(cancel_, error, sizeof(error));
}

void PgConnection::abandon() noexcept {
  abandoned_.store(true);
  cancel();
}

void PgConnection::raise(const std::string& what, const PgResult& result) const {
  std::string state = result.sqlstate();
  std::string message = tidy(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_));
  if (message.empty()) message = tidy(PQerrorMessage(conn_));
  if (message.starts_with("ERROR:  ")) message.erase(0, 8);
  std::string prefix = what.empty() ? label_ : label_ + ": " + what;
  if (state == "57014" && interrupted()) throw Interrupted();
  if (interrupted()) throw Interrupted();
  if (PQstatus(conn_) != CONNECTION_OK || state.starts_with("08") || state == "57P01") {
    throw ConnectionError(fmt::format("{}: {}", prefix, message));
  }
  // Class 42 (syntax error or access rule violation), but for missing privileges.
  if (state.starts_with("42") && state != "42501") {
    throw SqlError(fmt::format("{}: SQL error (in PostgreSQL): {}", prefix, message));
  }
  throw DataError(fmt::format("{}: {}", prefix, message));
}

void PgConnection::raise_copy_refused(const PgResult& result) const {
  std::string state = result.sqlstate();
  // feature_not_supported, or a server whose grammar lacks this COPY form
  // (a PostgreSQL-compatible system): another tier may still work.
  if (state.starts_with("0A") || state == "42601") {
    std::string message = tidy(PQresultErrorMessage(result.get()));
    if (message.starts_with("ERROR:  ")) message.erase(0, 8);
    throw TierUnavailable(fmt::format("{}: {}", label_, message));
  }
  raise("", result);
}

std::string quote_identifier(std::string_view identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_literal(std::string_view value) {
  // E'' with doubled backslashes reads the same whatever
  // standard_conforming_strings is.
  bool backslash = value.find('\\') != std::string_view::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

}  // namespace dvt::pg
