// The load plan of an ODBC target, by its dialect. Where DDL is
// transactional, the TransactionalLoadPlan. Where it commits on its own
// (MySQL, and most warehouses), a new table is filled under another name
// and renamed into place once its rows are in and checked (MySQL's
// RENAME TABLE swaps both names in one step), and statements that would
// commit the transaction early (DROP of the staging table) wait until the
// load is published.
#pragma once

#include "connectors/load_plan.h"

namespace dvt::odbc {

// REQUIRES: check_incoming_columns() passed for the same arguments.
LoadSteps plan_load(const Dialect& dialect, const LoadRequest& request, const TargetTable& target,
                    const TableSchema& incoming);

}  // namespace dvt::odbc
