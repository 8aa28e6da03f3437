// Command-line endpoints: "OUTPUT:SCHEMA.TABLE", "OUTPUT:TABLE", "OUTPUT"
// (with --query), ":TABLE" (the profile's target output), or a path ending
// in ".parquet" (or, as a source, ".csv"). Identifiers may be double-quoted to hold dots or colons:
// pg:"my.schema"."Order Lines".
#pragma once

#include <string>

#include "core/schema.h"

namespace dvt {

struct Endpoint {
  std::string text;  // as written, for messages
  bool is_file = false;
  std::string path;    // when is_file
  std::string output;  // output name; empty: the profile's target
  TableRef table;      // empty name when only an output was given
};

// Throws ConfigError (exit 2) for a malformed endpoint.
Endpoint parse_endpoint(const std::string& text);

}  // namespace dvt
