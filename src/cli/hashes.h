// `dvt hashes OUTPUT:SCHEMA.TABLE`: one MD5 per row keyed by the primary key,
// computed inside the source database and streamed in bounded batches into
// <staging>/_state/<name>.hashes.parquet (columns _pk, _hash).
#pragma once

#include <filesystem>
#include <string>

#include "cli/endpoint.h"
#include "cli/transfer.h"

namespace dvt {

// Computes the row hashes of the table `from` names. `name` defaults to the
// table name. Throws dvt::Error; no partial file is left on failure.
TransferResult run_hashes(const GlobalOptions& options, const Endpoint& from,
                          const std::string& name, const std::filesystem::path& staging_dir);

}  // namespace dvt
