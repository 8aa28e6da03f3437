// ODBC: `type: odbc` outputs (any database with an ODBC driver, its SQL
// taken from `dialect:` or from the DBMS name the driver reports), and the
// odbc tier of the families that also have a native one (PostgreSQL through
// psqlODBC, MySQL and MariaDB through MariaDB Connector/ODBC). See
// docs/odbc.md.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "connectors/dialect.h"
#include "connectors/odbc/odbc_connection.h"

namespace dvt {

class OutputConfig;

std::unique_ptr<Connector> make_odbc_connector(const OutputConfig& output, Engine& engine);

// A database reached through ODBC: the same catalog, reader and writer for
// a `type: odbc` output and for a family's odbc tier.
class OdbcTier {
 public:
  // A `type: odbc` output.
  explicit OdbcTier(const OutputConfig& output);
  // The odbc tier of `output`, whose family (canonical type) is `family`.
  OdbcTier(const OutputConfig& output, std::string family);
  ~OdbcTier();

  TableSchema describe(const TableRef& table);
  // The rows of `request`, with source.schema and source.method set.
  std::unique_ptr<BatchReader> open_reader(const ScanRequest& request, Source& source);
  // The rows of `request` as a relation of `engine`.
  Source open_source(Engine& engine, const ScanRequest& request, Progress* progress);
  std::unique_ptr<BatchWriter> open_writer(const LoadRequest& request, const TableSchema& incoming);
  // What the driver says of itself and the database, after connecting.
  std::string check();
  // The SQL of the database: `dialect:`, else the family of the DBMS name
  // the driver reports (connecting once to ask).
  const Dialect& dialect();
  // `table` in the dialect, in the output's `schema:` when it names none.
  std::string qualified_name(const TableRef& table);

  // For a connector whose tiers start with odbc (`--method odbc`, or
  // `methods: [odbc, ...]`): the source through ODBC; nullopt, with `tiers`
  // left as they are, when the first tier is another; nullopt, with odbc
  // taken off `tiers` and the reason in `fallbacks`, when ODBC cannot serve
  // here and other tiers remain.
  std::optional<Source> open_source_first(Engine& engine, const ScanRequest& request,
                                          Progress* progress, std::vector<Method>& tiers,
                                          std::vector<std::string>& fallbacks);

 private:
  std::unique_ptr<odbc::OdbcConnection> connect();
  const Dialect& dialect_of(const odbc::OdbcConnection& connection) const;
  std::string display(const odbc::OdbcConnection& connection, const TableRef& table) const;

  // The settings, made on first use: finding a family's driver reads
  // odbcinst.ini, and a missing driver is only a problem for this tier.
  const odbc::OdbcSettings& settings();

  std::unique_ptr<OutputConfig> output_;
  std::string family_;  // "" for a `type: odbc` output
  std::optional<odbc::OdbcSettings> settings_;
  const Dialect* dialect_ = nullptr;
};

}  // namespace dvt
