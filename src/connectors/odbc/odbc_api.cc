#include "connectors/odbc/odbc_api.h"

#include <fmt/format.h>

#include <utility>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"

namespace dvt::odbc {

Handle::Handle(SQLSMALLINT type, SQLHANDLE parent) : type_(type) {
  SQLRETURN rc = SQLAllocHandle(type, parent, &handle_);
  if (!SQL_SUCCEEDED(rc)) {
    handle_ = SQL_NULL_HANDLE;
    if (type == SQL_HANDLE_ENV) {
      throw ConnectionError("unixODBC could not allocate an environment handle");
    }
    SQLSMALLINT parent_type = type == SQL_HANDLE_DBC ? SQL_HANDLE_ENV : SQL_HANDLE_DBC;
    raise(parent_type, parent, "allocating an ODBC handle");
  }
}

Handle::~Handle() {
  release();
}

Handle::Handle(Handle&& other) noexcept
    : type_(other.type_), handle_(std::exchange(other.handle_, SQLHANDLE{})) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    release();
    type_ = other.type_;
    handle_ = std::exchange(other.handle_, SQLHANDLE{});
  }
  return *this;
}

void Handle::release() noexcept {
  if (handle_ != SQL_NULL_HANDLE) SQLFreeHandle(type_, handle_);
  handle_ = SQL_NULL_HANDLE;
}

Diagnostic diagnose(SQLSMALLINT type, SQLHANDLE handle) {
  Diagnostic diagnostic;
  if (handle == SQL_NULL_HANDLE) return diagnostic;
  for (SQLSMALLINT record = 1; record <= 8; ++record) {
    SQLCHAR state[6] = {};
    SQLINTEGER native = 0;
    SQLCHAR text[1024] = {};
    SQLSMALLINT length = 0;
    SQLRETURN rc = SQLGetDiagRec(type, handle, record, state, &native, text, sizeof(text), &length);
    if (!SQL_SUCCEEDED(rc)) break;
    // The first error's state: a warning (class 01, such as unixODBC's
    // "Can't open lib" before its IM003) says less.
    std::string sqlstate = reinterpret_cast<const char*>(state);
    if (diagnostic.sqlstate.empty() ||
        (diagnostic.sqlstate.starts_with("01") && !sqlstate.starts_with("01"))) {
      diagnostic.sqlstate = sqlstate;
      diagnostic.native = native;
    }
    std::string message = reinterpret_cast<const char*>(text);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    if (message.empty()) continue;
    if (!diagnostic.message.empty()) diagnostic.message += "; ";
    diagnostic.message += message;
  }
  diagnostic.message = Logger::instance().redact(diagnostic.message);
  if (diagnostic.message.empty()) diagnostic.message = "the driver gave no message";
  return diagnostic;
}

void check(SQLRETURN rc, SQLSMALLINT type, SQLHANDLE handle, std::string_view doing) {
  if (SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA) return;
  raise(type, handle, doing);
}

void check(SQLRETURN rc, const Handle& handle, std::string_view doing) {
  check(rc, handle.type(), handle.get(), doing);
}

void raise(SQLSMALLINT type, SQLHANDLE handle, std::string_view doing) {
  Diagnostic d = diagnose(type, handle);
  if (d.sqlstate == "HY008" && interrupted()) throw Interrupted();
  std::string text = fmt::format("{}: {}{}", doing, d.message,
                                 d.sqlstate.empty() ? "" : " (SQLSTATE " + d.sqlstate + ")");
  std::string_view cls = std::string_view(d.sqlstate).substr(0, 2);
  if (cls == "08" || cls == "28" || d.sqlstate == "IM002" || d.sqlstate == "IM003") {
    throw ConnectionError(text);
  }
  if (cls == "42") throw SqlError(text);
  throw DataError(text);
}

}  // namespace dvt::odbc
