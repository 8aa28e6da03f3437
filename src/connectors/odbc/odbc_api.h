// A thin RAII layer over unixODBC's C API: one owner per SQLHANDLE, and the
// driver's diagnostics turned into dvt's errors. Nothing here knows a table
// or a type; the connection, catalog, reader and writer are built on it.
#pragma once

#include <sql.h>
#include <sqlext.h>

#include <string>
#include <string_view>

namespace dvt::odbc {

// Owns one SQLHANDLE (environment, connection or statement) and frees it in
// its destructor. Move-only.
class Handle {
 public:
  Handle() = default;
  // Allocates a handle of `type` under `parent` (SQL_NULL_HANDLE for an
  // environment). Throws ConnectionError when the driver manager refuses.
  Handle(SQLSMALLINT type, SQLHANDLE parent);
  ~Handle();
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  SQLHANDLE get() const { return handle_; }
  SQLSMALLINT type() const { return type_; }
  explicit operator bool() const { return handle_ != SQL_NULL_HANDLE; }

 private:
  void release() noexcept;

  SQLSMALLINT type_ = 0;
  SQLHANDLE handle_ = SQL_NULL_HANDLE;
};

// The first diagnostic record of a handle.
struct Diagnostic {
  std::string sqlstate;  // five characters, "" when the driver gave none
  SQLINTEGER native = 0;
  std::string message;  // every record, "; "-separated, secrets redacted
};
Diagnostic diagnose(SQLSMALLINT type, SQLHANDLE handle);

// Throws the error `rc` stands for unless it succeeded (SQL_SUCCESS,
// SQL_SUCCESS_WITH_INFO, SQL_NO_DATA): "<doing>: <driver message>
// (SQLSTATE xxxxx)". SQLSTATE class 08 is a ConnectionError, 28 (bad login)
// too, 42 a SqlError, HY008 (cancelled) Interrupted when the user pressed
// Ctrl-C, anything else a DataError.
void check(SQLRETURN rc, const Handle& handle, std::string_view doing);
// The same for a statement handle owned elsewhere.
void check(SQLRETURN rc, SQLSMALLINT type, SQLHANDLE handle, std::string_view doing);

// Throws the error a failed call on `handle` stands for (as check()).
[[noreturn]] void raise(SQLSMALLINT type, SQLHANDLE handle, std::string_view doing);

}  // namespace dvt::odbc
