// One data movement, as a library: a source (a table or query of an output,
// or a Parquet file) into a sink (a table of an output, or a Parquet file),
// through the engine. The CLI's copy, extract, load and hashes, the model
// runner and tests all run transfers through here, in-process.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "connectors/csv/csv_endpoint.h"
#include "core/output_config.h"
#include "core/progress.h"
#include "core/scratch_directory.h"
#include "engine/engine.h"

namespace dvt {

// The engine settings of a job.
struct JobOptions {
  int threads = 0;  // engine threads; 0: 1 for a reader source, 2 otherwise
  std::string memory_limit = "1GB";
};

// A job's engine, with the job's threads and memory limit, spilling (if it
// must) under a folder of its own that is removed when the job ends.
struct JobEngine {
  explicit JobEngine(const JobOptions& options)
      : engine({.threads = options.threads,
                .memory_limit = options.memory_limit,
                .temp_directory = scratch.path().string()}) {}

  ScratchDirectory scratch;  // before the engine: it outlives the engine's spill files
  Engine engine;
};

// One end of a transfer: a table (or, as a source, a query) of an output, or
// a Parquet file.
struct TransferEnd {
  const OutputConfig* output = nullptr;  // null: a file (Parquet, or CSV as a source)
  std::filesystem::path file;            // when output is null
  CsvOptions csv;                        // a source file ending in .csv
  TableRef table;                        // a source with a query has none
  std::string display;                   // what messages and the summary call it

  bool is_file() const { return output == nullptr; }
};

struct Transfer {
  std::string command;  // "copy", "extract", "load", ... (names its log events)
  TransferEnd from;
  ScanRequest scan;  // table, columns, predicate, limit or query; scan.table is from.table
  TransferEnd to;
  LoadRequest load;  // mode, key, full refresh; load.table is to.table
};

struct TransferResult {
  std::string command;
  std::string source;
  std::string target;
  uint64_t rows = 0;
  // What a merge or delete+insert did, where the target reports it.
  std::optional<uint64_t> inserted, updated, deleted;
  uint64_t bytes = 0;
  // What the source sent, as its readers counted it (all of a job's reads).
  uint64_t source_bytes = 0;
  double seconds = 0;
  std::string source_method;
  std::string target_method;
  std::vector<std::string> fallbacks;
  std::vector<std::string> warnings;  // what the reader says the user must know
  // "success", or "skipped" when the source state found nothing to move.
  std::string status = "success";
  // What the source state decided, for the summary ("unchanged since ...",
  // "extracted in full: the schema changed: ..."); empty when it has nothing to say.
  std::string note;
};

// Streams the rows of an opened `source` into `sink` (what run_transfer does
// once both ends are open), with `progress` (which the source's reader was
// opened with) watched by `observer`; fills the counts, methods and
// timings of `result`, whose source and target name the two ends.
void move_rows(Engine& engine, const std::string& command, Source& source, Sink& sink,
               Progress& progress, ProgressObserver* observer, TransferResult& result);

// Runs `transfer` on `engine`. Throws dvt::Error on failure (ConfigError for
// a transfer that names no table, or a file onto itself); the target is then
// as it was. `observer`, if given, watches its progress.
TransferResult run_transfer(Engine& engine, const Transfer& transfer, ProgressObserver* observer);
// The same with an engine of the job's own.
TransferResult run_transfer(const JobOptions& options, const Transfer& transfer,
                            ProgressObserver* observer);

// One MD5 per row of `table` (see Connector::open_row_hashes), computed in
// the source and written to the Parquet file `target` (columns _pk, _hash),
// in no particular order. Throws dvt::Error; no partial file is left.
TransferResult run_row_hashes(const JobOptions& options, const TransferEnd& from,
                              const std::filesystem::path& target, ProgressObserver* observer);

}  // namespace dvt
