// The schema hash of a scan: the SHA-256 of its columns' exact names, source
// types and nullability, in order, and of its key. A source whose hash
// differs from the recorded one is extracted in full, and the message says
// what changed.
#pragma once

#include <string>

#include "core/schema.h"
#include "state/state_file.h"

namespace dvt {

// The record of `schema` (its hash, columns and key).
SchemaRecord schema_record(const TableSchema& schema);

// What differs from `before` to `after`, for a message: "column note added;
// column qty: integer -> bigint". Empty when the hashes are equal.
std::string schema_changes(const SchemaRecord& before, const SchemaRecord& after);

}  // namespace dvt
