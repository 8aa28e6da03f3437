#include "state/state_file.h"

#include <ctime>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace dvt {

namespace {

using json = nlohmann::ordered_json;

constexpr int kFormat = 1;

json optional_text(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

json file_json(const FileRecord& file) {
  return {{"file", file.file},
          {"bytes", file.bytes},
          {"rows", file.rows},
          {"footer_sha256", file.footer_sha256}};
}

FileRecord file_from(const json& value) {
  FileRecord file;
  file.file = value.at("file").get<std::string>();
  file.bytes = value.at("bytes").get<uint64_t>();
  file.rows = value.at("rows").get<uint64_t>();
  file.footer_sha256 = value.at("footer_sha256").get<std::string>();
  return file;
}

}  // namespace

std::string state_to_json(const SourceState& state) {
  json columns = json::array();
  for (const auto& column : state.schema.columns)
    columns.push_back(
        {{"name", column.name}, {"type", column.type}, {"nullable", column.nullable}});
  json document = {
      {"format", kFormat},
      {"name", state.name},
      {"source",
       {{"output", state.source.output},
        {"type", state.source.type},
        {"table", state.source.table.empty() ? json(nullptr) : json(state.source.table)},
        {"query", state.source.query.empty() ? json(nullptr) : json(state.source.query)},
        {"columns", state.source.columns},
        {"where", state.source.where},
        {"limit", state.source.limit ? json(*state.source.limit) : json(nullptr)}}},
      {"schema", {{"hash", state.schema.hash}, {"columns", columns}, {"key", state.schema.key}}},
      {"fingerprint", state.fingerprint ? json{{"method", state.fingerprint->method},
                                               {"rows", state.fingerprint->rows},
                                               {"value", state.fingerprint->value}}
                                        : json(nullptr)},
      {"mode", state.mode},
      {"row_key", state.row_key},
      {"buckets", state.buckets},
      {"cursor", state.cursor ? json{{"column", state.cursor->column},
                                     {"max", optional_text(state.cursor->max)}}
                              : json(nullptr)},
      {"staging", file_json(state.staging)},
      {"hashes", state.hashes ? file_json(*state.hashes) : json(nullptr)},
      {"extracted_at", state.extracted_at}};
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

SourceState state_from_json(const std::string& text, const std::string& origin) {
  json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) throw DataError(fmt::format("{} is not a JSON object", origin));
  try {
    if (document.at("format").get<int>() != kFormat) {
      throw DataError(fmt::format("{} has format {}, this dvt reads format {}", origin,
                                  document.at("format").dump(), kFormat));
    }
    SourceState state;
    state.name = document.at("name").get<std::string>();
    const json& source = document.at("source");
    state.source.output = source.at("output").get<std::string>();
    state.source.type = source.at("type").get<std::string>();
    if (!source.at("table").is_null()) state.source.table = source.at("table").get<std::string>();
    if (!source.at("query").is_null()) state.source.query = source.at("query").get<std::string>();
    state.source.columns = source.at("columns").get<std::vector<std::string>>();
    state.source.where = source.at("where").get<std::string>();
    if (!source.at("limit").is_null()) state.source.limit = source.at("limit").get<uint64_t>();
    const json& schema = document.at("schema");
    state.schema.hash = schema.at("hash").get<std::string>();
    for (const auto& column : schema.at("columns")) {
      state.schema.columns.push_back({column.at("name").get<std::string>(),
                                      column.at("type").get<std::string>(),
                                      column.at("nullable").get<bool>()});
    }
    state.schema.key = schema.at("key").get<std::vector<std::string>>();
    if (const json& fingerprint = document.at("fingerprint"); !fingerprint.is_null()) {
      state.fingerprint = Fingerprint{fingerprint.at("method").get<std::string>(),
                                      fingerprint.at("rows").get<uint64_t>(),
                                      fingerprint.at("value").get<std::string>()};
    }
    state.mode = document.at("mode").get<std::string>();
    state.row_key = document.at("row_key").get<std::vector<std::string>>();
    state.buckets = document.at("buckets").get<uint64_t>();
    if (const json& cursor = document.at("cursor"); !cursor.is_null()) {
      CursorRecord record;
      record.column = cursor.at("column").get<std::string>();
      if (!cursor.at("max").is_null()) record.max = cursor.at("max").get<std::string>();
      state.cursor = record;
    }
    state.staging = file_from(document.at("staging"));
    if (const json& hashes = document.at("hashes"); !hashes.is_null())
      state.hashes = file_from(hashes);
    state.extracted_at = document.at("extracted_at").get<std::string>();
    return state;
  } catch (const json::exception& error) {
    throw DataError(fmt::format("{} is not a dvt state file: {}", origin, error.what()));
  }
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

}  // namespace dvt
