// ClickHouse (type: clickhouse) as source and target (docs/clickhouse.md).
//
// Tiers: native (the HTTP interface through libcurl: RowBinary streamed in
// and out) and pipe (clickhouse-client over the native TCP port, the same
// RowBinary on its stdin/stdout). --method auto uses native and falls back
// to the pipe when the HTTP interface cannot be reached, with a warning and
// the reason in the job's summary.
#pragma once

#include <memory>

#include "connectors/connector.h"

namespace dvt {

class OutputConfig;

std::unique_ptr<Connector> make_clickhouse_connector(const OutputConfig& output, Engine& engine);

}  // namespace dvt
