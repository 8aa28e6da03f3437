// The CLI side of copy, extract, load and hashes: turning command-line
// endpoints into a job's transfer, and the summary.
#pragma once

#include <optional>
#include <string>

#include "cli/endpoint.h"
#include "cli/global_options.h"
#include "job/transfer.h"
#include "project/profiles.h"

namespace dvt {

// The transfer end an endpoint names: a file, or a table of the output it
// names (resolved in `profiles`, which must outlive the result). `scan`, if
// given, tells a query source apart in the display.
TransferEnd resolve_end(ProfileContext& profiles, const Endpoint& endpoint,
                        const ScanRequest* scan);

// Runs one transfer with a progress line on the terminal.
TransferResult run_cli_transfer(const GlobalOptions& options, const std::string& command,
                                const Endpoint& from, ScanRequest scan, const Endpoint& to,
                                LoadRequest load);

// Prints the text summary (text mode) or the JSON result object (json mode).
void report(const TransferResult& result);

}  // namespace dvt
