// An ODBC connection through unixODBC: its settings read from a profile
// output (a DSN, or a driver and the fields of the database), the connection
// string built in memory only (the password is registered as a secret and
// never appears in a message), and the few calls every part of the
// connector needs: run a statement, read a small result, transactions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "connectors/odbc/odbc_api.h"
#include "connectors/odbc/odbc_drivers.h"

namespace dvt {
class OutputConfig;
}

namespace dvt::odbc {

// How text travels: as UTF-16 (SQLWCHAR, the default: every Unicode driver
// converts it exactly) or as the driver's narrow characters, which must then
// be UTF-8 (an ANSI driver with a UTF-8 client encoding).
enum class TextMode { kWide, kNarrow };

struct OdbcSettings {
  std::string output;  // the profile output's name, for messages
  std::string family;  // canonical registry type of the database, "" to detect
  std::string dsn;     // a data source of odbc.ini, or ""
  std::string driver;  // a driver of odbcinst.ini (or a library path), or ""
  // Connection-string keywords in order (Server, Port, Database, UID, PWD,
  // then the driver profile's and the output's own); values unescaped.
  std::vector<std::pair<std::string, std::string>> keywords;
  std::string password;  // also among keywords; kept to register as a secret
  std::string schema;    // the output's default schema, or ""
  TextMode text = TextMode::kWide;
  int login_timeout = 10;  // seconds

  // The settings of a `type: odbc` output: `dsn:` or `driver:`, with
  // `host`/`server`, `port`, `database`/`dbname`, `user`/`uid`, `password`,
  // `options` ("Key=Value;..."), `dialect`, `schema`, `text` (wide|narrow).
  // Throws ConfigError when it names neither a dsn nor a driver.
  static OdbcSettings for_odbc_output(const OutputConfig& output);
  // The settings that reach a family's database (a postgres or mysql
  // output) through its ODBC driver: the output's `odbc_driver:`, else the
  // first registered driver whose name matches the family (a Unicode one
  // first). Throws TierUnavailable when no such driver is registered.
  static OdbcSettings for_family_output(const OutputConfig& output, const std::string& family);

  // The connection string. Holds the password: never log it.
  std::string connection_string() const;
  // "output 'x' (ODBC driver 'PostgreSQL Unicode')" for messages.
  std::string label() const;
};

// Quotes a connection-string value when it needs it: {va;lue}, with } doubled.
std::string connection_value(const std::string& value);

// Names of the drivers registered with unixODBC (odbcinst.ini).
std::vector<std::string> registered_drivers();

// What the driver says of itself and of the database.
struct DriverInfo {
  std::string dbms_name;       // SQL_DBMS_NAME: "PostgreSQL", "MariaDB", ...
  std::string dbms_version;    // SQL_DBMS_VER
  std::string driver_name;     // SQL_DRIVER_NAME: "psqlodbcw.so"
  std::string driver_version;  // SQL_DRIVER_VER
  SQLUINTEGER getdata_extensions = 0;
  bool transactions = true;  // SQL_TXN_CAPABLE is not SQL_TC_NONE
};

class OdbcConnection {
 public:
  // Connects and runs the session statements of the family's driver
  // profile. Throws ConnectionError (a refused login, an unreachable host)
  // or TierUnavailable (the driver is not installed, or cannot be loaded).
  explicit OdbcConnection(OdbcSettings settings);
  ~OdbcConnection();
  OdbcConnection(const OdbcConnection&) = delete;
  OdbcConnection& operator=(const OdbcConnection&) = delete;

  SQLHDBC dbc() const { return dbc_.get(); }
  const OdbcSettings& settings() const { return settings_; }
  const DriverInfo& info() const { return info_; }
  // The family of the database: the settings' own, else detected from the
  // DBMS name ("" when unknown).
  const std::string& family() const { return family_; }
  const DriverProfile& profile() const { return *profile_; }

  // A new statement handle on this connection.
  Handle statement() const;
  // Runs one statement; returns the rows it changed when the driver says.
  std::optional<uint64_t> execute(const std::string& sql);
  // The rows of a small result, values as text (NULL as nullopt).
  std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql);

  // Starts a transaction (autocommit off), or ends one.
  void begin();
  void commit();
  void rollback() noexcept;
  bool in_transaction() const { return in_transaction_; }

  // SQLExecDirect of `sql` on `statement` (wide or narrow, as the text mode).
  SQLRETURN exec_direct(SQLHSTMT statement, const std::string& sql) const;
  SQLRETURN prepare(SQLHSTMT statement, const std::string& sql) const;

 private:
  void connect();
  void end_transaction(SQLSMALLINT completion);

  OdbcSettings settings_;
  Handle env_;
  Handle dbc_;
  bool connected_ = false;
  bool in_transaction_ = false;
  DriverInfo info_;
  std::string family_;
  const DriverProfile* profile_ = nullptr;
};

// Reads column `column` (1-based) of the current row of `statement` as text,
// in parts when it is long. nullopt for NULL.
std::optional<std::string> get_text(SQLHSTMT statement, SQLUSMALLINT column, TextMode mode,
                                    std::string_view doing);

}  // namespace dvt::odbc
