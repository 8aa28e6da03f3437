// One data movement: a source endpoint (table, query or Parquet file) into a
// sink endpoint (table or Parquet file), through the engine, with progress,
// a summary and the result object.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/endpoint.h"
#include "connectors/connector.h"
#include "core/scratch_directory.h"
#include "engine/engine.h"
#include "project/profiles.h"

namespace dvt {

struct GlobalOptions {
  std::optional<std::string> profiles_dir;
  std::string profile;
  std::string target;
  std::string log_format = "text";
  bool quiet = false;
  int verbose = 0;
  int threads = 0;  // engine threads; 0: 1 for a reader source, 2 otherwise
  std::string memory_limit = "1GB";
};

// A job's engine, with the threads and memory limit of the command line,
// spilling (if it must) under a folder of the job's own that is removed when
// the job ends.
struct JobEngine {
  explicit JobEngine(const GlobalOptions& options)
      : engine({.threads = options.threads,
                .memory_limit = options.memory_limit,
                .temp_directory = scratch.path().string()}) {}

  ScratchDirectory scratch;  // before the engine: it outlives the engine's spill files
  Engine engine;
};

struct TransferResult {
  std::string command;
  std::string source;
  std::string target;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  std::string source_method;
  std::string target_method;
  std::vector<std::string> fallbacks;
  std::vector<std::string> warnings;  // what the reader says the user must know
};

// Loads profiles lazily: a copy between two files needs none.
class ProfileContext {
 public:
  explicit ProfileContext(const GlobalOptions& options) : options_(options) {}
  // The output an endpoint names (or the profile's target output).
  const OutputConfig& output(const Endpoint& endpoint);

 private:
  const GlobalOptions& options_;
  std::optional<Profiles> profiles_;
};

// Runs one transfer. Throws dvt::Error on failure; the target is as it was.
TransferResult run_transfer(const GlobalOptions& options, const std::string& command,
                            const Endpoint& from, ScanRequest scan, const Endpoint& to,
                            LoadRequest load);

// Prints the text summary (text mode) or the JSON result object (json mode).
void report(const TransferResult& result);

}  // namespace dvt
