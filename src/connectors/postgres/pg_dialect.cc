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

std::string PgDialect::value_from_text(const Column& /*column*/, std::string_view text) const {
  return literal(text);
}

std::string PgDialect::hex_value(const std::string& hex, int digits) const {
  return fmt::format("('x' || substr({}, 1, {}))::bit({})::bigint", hex, digits, 4 * digits);
}

std::string PgDialect::text_bucket(const std::string& text, uint64_t buckets) const {
  return fmt::format("(hashtextextended({}, 0) & {})", text, buckets - 1);
}

const PgDialect& dialect() {
  static const PgDialect instance;
  return instance;
}

}  // namespace dvt::pg
