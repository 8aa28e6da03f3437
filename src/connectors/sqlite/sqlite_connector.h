// SQLite database files (type: sqlite, path: FILE) as source and target,
// through the sqlite3 C library.
#pragma once

#include <memory>

#include "connectors/connector.h"

namespace dvt {

class OutputConfig;

std::unique_ptr<Connector> make_sqlite_connector(const OutputConfig& output, Engine& engine);

}  // namespace dvt
