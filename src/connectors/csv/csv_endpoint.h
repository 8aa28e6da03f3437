// CSV files as sources (dbt's seeds): read by DuckDB's CSV reader, with the
// header naming the columns and every column's type decided from all of its
// values, never from a sample:
//
//   * DuckDB's sniffer, over every row (sample_size = -1), proposes BOOLEAN,
//     BIGINT, DOUBLE, DATE, TIME, TIMESTAMP or VARCHAR;
//   * a column it calls DOUBLE whose every value is a plain decimal number
//     ([-]digits[.digits]) with at most 38 digits becomes DECIMAL(p,s) with
//     the largest scale and integer part seen, so 1.50 stays exactly 1.50;
//   * a column with no value at all (every cell empty) is VARCHAR;
//   * empty cells are NULL; quoted fields may hold the delimiter, quotes
//     (doubled) and newlines.
//
// `column_types` (a seed's config) overrides a column's type: the column is
// then read as text and the target declares it with exactly that type (in the
// target's SQL), converting each value as its own input functions do.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "connectors/connector.h"

namespace dvt {

struct CsvOptions {
  std::map<std::string, std::string> column_types;  // column -> the target's type name
  std::string delimiter = ",";
};

// The CSV file's rows as a relation in the engine. Throws ConfigError when
// the file does not exist, is empty (no header), or names a column_types
// column it does not have; DataError (naming the file) when DuckDB cannot
// read it.
Source open_csv_source(Engine& engine, const std::filesystem::path& path,
                       const CsvOptions& options);

}  // namespace dvt
