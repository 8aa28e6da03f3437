// MySQL and MariaDB (type: mysql, and the aliases mariadb, tidb, singlestore,
// aurora_mysql, planetscale, vitess) as source and target. See docs/mysql.md.
//
// Tiers. Reading: native (a streamed text-protocol result through
// libmariadb) or pipe (`mysql --batch`); auto is native. Writing: native
// LOAD DATA LOCAL INFILE fed from memory, falling back to INSERT batches when
// the server (or the output's `local_infile: false`) forbids it, or pipe
// (`mysql` running LOAD DATA LOCAL INFILE '/dev/stdin'). The catalog work of
// both tiers (describing, DDL, the atomic swap, checks) runs natively.
#pragma once

#include <memory>

#include "connectors/connector.h"

namespace dvt {

class OutputConfig;

std::unique_ptr<Connector> make_mysql_connector(const OutputConfig& output, Engine& engine);

}  // namespace dvt
