// The PostgreSQL test server (support/services.h) and a plain libpq
// connection to set up and check tables independently of the code under
// test. Each test works in a schema of its own, dropped afterwards. A
// missing server fails the test; it is never skipped.
#pragma once

#include <libpq-fe.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "support/run_dvt.h"
#include "support/services.h"

namespace dvt::test::pgtest {

using PgRows = std::vector<std::vector<std::optional<std::string>>>;

// A connection for setup and verification (UTC, ISO dates).
class PgTestConnection {
 public:
  PgTestConnection();
  ~PgTestConnection();
  PgTestConnection(const PgTestConnection&) = delete;
  PgTestConnection& operator=(const PgTestConnection&) = delete;

  // Runs statements; throws std::runtime_error on error.
  void exec(const std::string& sql);
  PgRows query(const std::string& sql);
  // The first column of the first row ("NULL" for NULL, "" without rows).
  std::string value(const std::string& sql);

 private:
  PGconn* conn_ = nullptr;
};

// A fresh schema "dvt_<name>_<pid>" with its own profiles folder holding one
// output `pg` (type `type`) whose default schema is this one.
class PgTestSchema {
 public:
  explicit PgTestSchema(const std::string& name,
                        const std::vector<std::string>& extra_profile_lines = {},
                        const std::string& type = "postgres");
  ~PgTestSchema();

  const std::string& name() const { return name_; }
  // "schema.table" for an endpoint: pg:<qualified(table)>.
  std::string endpoint(const std::string& table) const { return "pg:" + name_ + "." + table; }
  const std::string& dir() const { return dir_.path(); }
  std::string file(const std::string& name) const { return dir_.file(name); }
  PgTestConnection& db() { return db_; }

  // Runs dvt with --profiles-dir set to this schema's folder.
  DvtRun dvt(const std::vector<std::string>& args, const DvtRunOptions& options = {}) const;

  // Rewrites profiles.yml with `lines` added to the output (e.g. "password: x").
  void write_profiles(const std::vector<std::string>& extra_lines,
                      const std::string& type = "postgres", bool with_password = true) const;
  // Adds an output to profiles.yml: `yaml` is its body under "outputs:",
  // e.g. "duck:\n  type: duckdb\n  path: /x.duckdb\n".
  void add_output(const std::string& yaml);

 private:
  std::string name_;
  TempDir dir_;
  PgTestConnection db_;
  std::string more_outputs_;
};

// Rows of `left` missing from `right` plus rows of `right` missing from
// `left`, comparing each row's full text (so json, xml and floats compare
// exactly). 0 means identical.
long differing_rows(PgTestConnection& db, const std::string& left, const std::string& right);

// The server's connection settings.
ServerEnv pg_env();

}  // namespace dvt::test::pgtest
