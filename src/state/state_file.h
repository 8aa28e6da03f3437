// <staging>/_state/<name>.state.json: what the last extraction of a staging
// name read from its source and what it wrote. It is the commit record of
// the staging name (state_store.h): a staging file or a hashes file counts
// only when it is the one the state describes.
//
//   {"format": 1, "name": "orders",
//    "source": {"output": "pg", "type": "postgres", "table": "public.orders",
//               "query": null, "columns": [], "where": "", "limit": null},
//    "schema": {"hash": "<sha256>", "columns": [{"name": "id",
//               "type": "bigint", "nullable": false}, ...], "key": ["id"]},
//    "fingerprint": {"method": "xmin", "rows": 10000000, "value": "..."},
//    "mode": "full" | "delta" | "incremental", "row_key": ["id"], "buckets": 0,
//    "cursor": {"column": "updated_at", "max": "2024-05-01 10:00:00+00"},
//    "staging": {"file": "orders.parquet", "bytes": ..., "rows": ...,
//                "footer_sha256": "..."},
//    "hashes": {"file": "_state/orders.hashes.parquet", ...} | null,
//    "extracted_at": "2026-11-22T10:00:00Z"}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.h"

namespace dvt {

// What was asked of the source; a rerun that asks anything else extracts in full.
struct SourceRecord {
  std::string output;
  std::string type;
  std::string table;  // schema.table as given; empty for a query
  std::string query;
  std::vector<std::string> columns;
  std::string where;
  std::optional<uint64_t> limit;

  bool operator==(const SourceRecord&) const = default;
};

struct SchemaRecord {
  struct Entry {
    std::string name;
    std::string type;  // the source's own spelling
    bool nullable = true;
    bool operator==(const Entry&) const = default;
  };
  std::string hash;  // schema_hash() of the columns and key
  std::vector<Entry> columns;
  std::vector<std::string> key;
};

// A file the state belongs with, and what tells it is intact (parquet_identity.h).
struct FileRecord {
  std::string file;  // relative to the staging folder
  uint64_t bytes = 0;
  uint64_t rows = 0;
  std::string footer_sha256;
};

// The cursor of --incremental-key: the largest value extracted, as the
// source's own text of it (Dialect::text_of).
struct CursorRecord {
  std::string column;
  std::optional<std::string> max;  // none: no row had a value yet
};

struct SourceState {
  std::string name;
  SourceRecord source;
  SchemaRecord schema;
  std::optional<Fingerprint> fingerprint;
  std::string mode;  // "full", "delta" or "incremental": how the last run extracted
  // The columns rows are matched by: the hashes' key (delta), the merge key
  // (incremental); empty: none.
  std::vector<std::string> row_key;
  // The buckets the hashes' keys are spread over (--delta); 0: none.
  uint64_t buckets = 0;
  std::optional<CursorRecord> cursor;
  FileRecord staging;
  std::optional<FileRecord> hashes;
  std::string extracted_at;  // ISO 8601, UTC
};

// The state as JSON (one object, keys as above).
std::string state_to_json(const SourceState& state);
// Parses state_to_json's output. Throws DataError naming `origin` when the
// text is not a state of this format.
SourceState state_from_json(const std::string& text, const std::string& origin);

// Now, as extracted_at spells it.
std::string utc_now();

}  // namespace dvt
