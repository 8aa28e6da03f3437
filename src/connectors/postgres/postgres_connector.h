// PostgreSQL and the PostgreSQL-compatible families (type: postgres and its
// aliases, see docs/postgres.md) as source and target.
//
// Tiers: native (libpq binary COPY, or a cursor on servers without COPY TO)
// and pipe (a psql child speaking CSV). --method auto tries native first and
// falls back to the pipe when the server or the machine cannot serve the
// native tier, with one warning per fallback and the reason in the summary.
#pragma once

#include <memory>
#include <string_view>

#include "connectors/connector.h"

namespace dvt {

class OutputConfig;

std::unique_ptr<Connector> make_postgres_connector(const OutputConfig& output, Engine& engine);

namespace pg {

// What one member of the PostgreSQL family supports (from its vendor's
// documentation; only `postgres` itself is tested here).
struct Family {
  std::string_view type;
  bool copy_out_binary;  // COPY (query) TO STDOUT (FORMAT binary); else a cursor
  bool copy_out_csv;     // COPY (query) TO STDOUT (FORMAT csv): the psql pipe
  bool copy_in_binary;   // COPY ... FROM STDIN (FORMAT binary)
  bool copy_in_csv;      // COPY ... FROM STDIN (FORMAT csv): the psql pipe
  bool
      session_settings;  // SET TimeZone, DateStyle, IntervalStyle, extra_float_digits, bytea_output
};

// The family an output type names (any alias of postgres); postgres itself
// for names it does not know.
const Family& find_family(std::string_view type);

}  // namespace pg
}  // namespace dvt
