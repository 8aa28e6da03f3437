#include "connectors/csv/csv_endpoint.h"

#include <fstream>

#include <fmt/format.h>

#include "core/error.h"

namespace dvt {
namespace {

// The read_csv call with `columns`, or with the sniffer's types when empty.
std::string read_csv(const std::filesystem::path& path, const CsvOptions& options,
                     const std::string& columns) {
  std::string call = fmt::format(
      "read_csv({}, header = true, delim = {}, quote = '\"', escape = '\"', sample_size = -1, "
      "strict_mode = true",
      duck_literal(path.string()), duck_literal(options.delimiter));
  if (!columns.empty()) {
    call += ", auto_detect = false, columns = " + columns;
  }
  return call + ")";
}

}  // namespace

Source open_csv_source(Engine& engine, const std::filesystem::path& path,
                       const CsvOptions& options) {
  if (!std::filesystem::exists(path))
    throw ConfigError(fmt::format("CSV file {} does not exist", path.string()));
  {
    std::ifstream in(path);
    std::string header;
    if (!std::getline(in, header) || header.find_first_not_of(" \t\r") == std::string::npos)
      throw ConfigError(
          fmt::format("{}: the file is empty; a seed needs a header line naming its "
                      "columns",
                      path.string()));
  }
  TableSchema sniffed;
  try {
    sniffed = engine.describe("SELECT * FROM " + read_csv(path, options, ""));
  } catch (const Error& error) {
    throw DataError(fmt::format("{}: cannot read it as CSV: {}", path.string(), error.what()));
  }
  for (const auto& [name, type] : options.column_types) {
    if (sniffed.find(name) < 0) {
      throw ConfigError(fmt::format("{}: column_types names column \"{}\", which the file has not",
                                    path.string(), name));
    }
  }
  // Every column read as text first, to decide the types from all values.
  std::string all_text;
  for (const auto& column : sniffed.columns) {
    if (!all_text.empty()) all_text += ", ";
    all_text += fmt::format("{}: 'VARCHAR'", duck_literal(column.name));
  }
  const std::string text_relation = read_csv(path, options, "{" + all_text + "}");
  std::string probes;
  for (size_t i = 0; i < sniffed.columns.size(); ++i) {
    const std::string name = duck_quote(sniffed.columns[i].name);
    if (i) probes += ", ";
    // Decimal shape, the largest scale and integer part, and any value at all.
    probes += fmt::format(
        "bool_and({0} IS NULL OR regexp_full_match({0}, '-?[0-9]+(\\.[0-9]+)?')), "
        "max(length(regexp_extract({0}, '\\.([0-9]+)$', 1))), "
        "max(length(regexp_extract({0}, '^-?([0-9]+)', 1))), count({0})",
        name);
  }
  std::vector<std::optional<std::string>> facts;
  if (!sniffed.columns.empty()) {
    facts = engine.query_strings(fmt::format("SELECT {} FROM {}", probes, text_relation)).at(0);
  }
  std::string columns;
  TableSchema schema;
  for (size_t i = 0; i < sniffed.columns.size(); ++i) {
    Column column = sniffed.columns[i];
    column.source_type = "csv";
    const bool decimal_shape = facts[4 * i].value_or("false") == "true";
    const int scale = std::stoi(facts[4 * i + 1].value_or("0"));
    const int digits = std::stoi(facts[4 * i + 2].value_or("0"));
    const bool any_value = facts[4 * i + 3].value_or("0") != "0";
    auto declared = options.column_types.find(column.name);
    if (declared != options.column_types.end()) {
      column.type = Type(DUCKDB_TYPE_VARCHAR);
      column.declared_type = declared->second;
    } else if (!any_value) {
      column.type = Type(DUCKDB_TYPE_VARCHAR);
    } else if (column.type.id == DUCKDB_TYPE_DOUBLE && decimal_shape && scale > 0 &&
               digits + scale <= 38) {
      column.type = Type::decimal(static_cast<uint8_t>(std::max(digits + scale, 1)),
                                  static_cast<uint8_t>(scale));
    }
    if (!columns.empty()) columns += ", ";
    columns += fmt::format("{}: {}", duck_literal(column.name), duck_literal(column.type.sql()));
    schema.columns.push_back(std::move(column));
  }
  Source source;
  source.schema = schema;
  source.relation = "(SELECT * FROM " + read_csv(path, options, "{" + columns + "}") + ")";
  source.method = "native";
  return source;
}

}  // namespace dvt
