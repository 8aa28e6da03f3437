// One extraction of a source into its staging file, with the source's state:
// what `dvt extract` runs, as a library the model runner calls in-process.
//
//   full (default)         the rows the scan reads; skipped when the source's
//                          schema and fingerprint match the state's and the
//                          staging file is intact
//   delta                  a table with a key: fresh (key, row hash) pairs
//                          from the source, compared in the engine with the
//                          stored ones; only new and changed rows are read,
//                          and the staging file becomes the old rows minus
//                          the deleted and changed ones plus those
//   incremental            rows whose cursor column is at least the largest
//                          value extracted before (equal ones again, so rows
//                          committed late with that value are not lost),
//                          merged into the staging file by key, else appended
//
// Every run writes <staging>/_state/<name>.state.json and changes the
// staging file, its hashes and its state in one commit (state_store.h).
#pragma once

#include <filesystem>
#include <string>

#include "job/transfer.h"

namespace dvt {

struct ExtractJob {
  TransferEnd from;  // a table, or a query, of an output
  ScanRequest scan;  // columns, predicate, limit or query; scan.table is from.table
  std::filesystem::path staging_dir;
  std::string name;  // staging name: <staging_dir>/<name>.parquet
  // Extract in full whatever the state says.
  bool full_refresh = false;
  bool delta = false;
  std::string incremental_key;  // the cursor column; empty: none
};

// Runs `job` on `engine`; the result says what moved, or that nothing had to
// (status "skipped", note "unchanged since <time>"), and why an extraction
// was full when the state could not serve (note). Throws ConfigError for a
// request a mode cannot serve (delta of a query or of a table without a key,
// a cursor column the scan does not read), dvt::Error when the job fails:
// the staging file, its hashes and its state are then as they were.
TransferResult run_extract(Engine& engine, const ExtractJob& job, ProgressObserver* observer);
// The same with an engine of the job's own.
TransferResult run_extract(const JobOptions& options, const ExtractJob& job,
                           ProgressObserver* observer);

}  // namespace dvt
