#include "connectors/postgres/pg_dialect.h"

#include <fmt/format.h>

#include "connectors/postgres/pg_types.h"

namespace dvt::pg {

std::string PgDialect::column_type(const Column& column, const TableSchema& /*table*/) const {
  return ddl_type(column.type);
}

std::string PgDialect::text_of(const Column& column) const {
  return quote(column.name) + "::text";
}

std::string PgDialect::hash_aggregate(const std::string& hash) const {
  // bit(60) of the first 15 hex digits read as a bigint; sum(bigint) is numeric.
  return fmt::format("sum(('x' || substr({}, 1, 15))::bit(60)::bigint)::text", hash);
}

const PgDialect& dialect() {
  static const PgDialect instance;
  return instance;
}

}  // namespace dvt::pg
