// Writers of MySQL tables. Every one loads through a MysqlLoadPlan (so a
// failure leaves the target as it was) and checks what the server reports:
// the row count and the warnings, since LOAD DATA LOCAL turns a truncated or
// clipped value into a warning instead of an error, and dvt turns it back.
//
//  * LOAD DATA LOCAL INFILE fed from memory by Connector/C's local-infile
//    callbacks (no temp file): the statement runs on a thread of its own and
//    pulls the blocks write() encodes, through a queue of a few MiB.
//  * INSERT batches of many rows, sized by bytes: the fallback when the
//    server has local_infile off.
//  * The pipe tier: the mysql/mariadb client runs LOAD DATA LOCAL INFILE
//    '/dev/stdin' and reads the same lines from its stdin.
#pragma once

#include <memory>

#include "connectors/connector.h"
#include "connectors/mysql/mysql_connection.h"

namespace dvt::mysql {

enum class WriteMethod { kLoadData, kInsert, kPipe };

// A writer for `incoming` rows into `request.table`. Takes the connection
// (which the plan's DDL and, except for kPipe, the rows use).
std::unique_ptr<BatchWriter> make_mysql_writer(WriteMethod method,
                                               std::unique_ptr<MysqlConnection> connection,
                                               const LoadRequest& request,
                                               const TableSchema& incoming);

}  // namespace dvt::mysql
