// Names of the tables a load makes beside its target where the database
// cannot do it all in one transaction (MySQL's shadow tables, ClickHouse's
// staging tables, the old copy during a swap):
//
//   <table>__dvt_<role>_<host>_<pid>
//
// <host> is eight hex digits naming this machine and <pid> the loading
// process, so a later load on the same machine can tell that the load which
// made one was killed (its process no longer runs) and remove what it left
// (or, for an old copy whose target is gone, put it back). The table part is
// cut short, on a character boundary, when the whole would be longer than
// the database keeps.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace dvt {

// The name of this process's `role` table ("new", "old", "tmp", "stage")
// for a load into `table`; at most `max_bytes` long (0: no limit).
std::string shadow_table_name(const std::string& table, std::string_view role, size_t max_bytes);

// What every shadow table of `table` starts with (for a catalog search).
std::string shadow_table_prefix(const std::string& table, size_t max_bytes);

struct DeadShadow {
  std::string role;
  pid_t pid = 0;
};

// The role and pid of `name` when it is a shadow table of `table` made on
// this machine by a process that no longer runs; nullopt for any other name.
std::optional<DeadShadow> dead_shadow(const std::string& name, const std::string& table,
                                      size_t max_bytes);

}  // namespace dvt
