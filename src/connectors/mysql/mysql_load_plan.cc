#include "connectors/mysql/mysql_load_plan.h"

#include <errmsg.h>
#include <fmt/format.h>
#include <unistd.h>

#include <random>

#include "connectors/mysql/mysql_types.h"
#include "core/error.h"
#include "core/log.h"

namespace dvt::mysql {
namespace {

// MySQL identifiers hold at most 64 characters.
constexpr size_t kMaxIdentifier = 64;

// `name` cut to at most `bytes` bytes without splitting a UTF-8 character.
std::string utf8_prefix(const std::string& name, size_t bytes) {
  if (name.size() <= bytes) return name;
  size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(name[end]) & 0xC0) == 0x80) --end;
  return name.substr(0, end);
}

}  // namespace

MysqlLoadPlan::MysqlLoadPlan(MysqlConnection& connection, const LoadRequest& request,
                             const TableSchema& incoming, bool rows_in_other_session)
    : connection_(connection), request_(request), incoming_(incoming) {
  std::random_device random;
  token_ = fmt::format("{:x}{:04x}", static_cast<unsigned>(getpid()) & 0xffff, random() & 0xffff);
  const std::string database = resolve_database(connection, request.table);
  target_ = lookup_table(connection, database, request.table.name, true);
  target_table_ = qualified(database, request.table.name);
  const std::string where =
      fmt::format("{} on {}", target_.display(), connection.settings().label());
  if (target_.exists && target_.is_view) {
    throw DataError(fmt::format("{} is a view; dvt loads into tables", where));
  }
  target_data_types_.assign(incoming.columns.size(), "");
  if (target_.exists && !request.full_refresh) {
    std::vector<std::string> missing;
    for (size_t i = 0; i < incoming.columns.size(); ++i) {
      const CatalogColumn* column = target_.find(incoming.columns[i].name);
      if (!column) {
        missing.push_back(incoming.columns[i].name);
        continue;
      }
      if (column->generated) {
        throw DataError(
            fmt::format("{}: column \"{}\" is generated, so rows cannot set it; leave it "
                        "out of the incoming columns",
                        where, column->name));
      }
      target_data_types_[i] = column->data_type;
    }
    if (!missing.empty()) {
      throw DataError(fmt::format(
          "{} has no column{} \"{}\"; use --full-refresh to recreate it with the incoming columns",
          where, missing.size() == 1 ? "" : "s", fmt::join(missing, "\", \"")));
    }
  }

  if (request.full_refresh || !target_.exists) {
    strategy_ = LoadStrategy::kSwap;
    create_from_incoming_ = true;
    explanation_ = target_.exists
                       ? "rows load into a new table created from the incoming columns, which then "
                         "replaces the target in one RENAME TABLE (--full-refresh)"
                       : "rows load into a new table created from the incoming columns, renamed to "
                         "the target once complete";
  } else if (request.mode == LoadMode::kAppend || !target_.triggers.empty() ||
             target_.has_foreign_keys) {
    if (!target_.transactional) {
      throw DataError(fmt::format(
          "{} uses engine {}, which has no transactions, so dvt cannot {} atomically; convert it "
          "(ALTER TABLE ... ENGINE=InnoDB){}",
          where, target_.engine,
          request.mode == LoadMode::kAppend ? "append to it"
                                            : "replace its rows and keep its triggers",
          request.mode == LoadMode::kAppend ? " or load with overwrite" : ""));
    }
    delete_first_ = request.mode == LoadMode::kOverwrite;
    strategy_ = rows_in_other_session ? LoadStrategy::kStagedCopy : LoadStrategy::kInPlace;
    std::string why = request.mode == LoadMode::kAppend
                          ? std::string("append")
                          : fmt::format("the target has {}, which a table swap would lose",
                                        target_.triggers.empty() ? "foreign keys" : "triggers");
    explanation_ =
        fmt::format("{}: rows {} in one transaction{}", why,
                    delete_first_ ? "replace the target's (DELETE + load)" : "are added",
                    strategy_ == LoadStrategy::kStagedCopy
                        ? " (loaded into a shadow table first, then copied with INSERT ... SELECT)"
                        : "");
  } else {
    strategy_ = LoadStrategy::kSwap;
    explanation_ =
        "rows load into a shadow table (CREATE TABLE ... LIKE the target), which then replaces the "
        "target in one RENAME TABLE; indexes, defaults and grants are kept";
  }
  if (strategy_ == LoadStrategy::kInPlace) {
    load_table_ = target_table_;
  } else {
    shadow_ = qualified(database, shadow_name("new"));
    load_table_ = shadow_;
  }
}

MysqlLoadPlan::~MysqlLoadPlan() {
  if (began_ && !finished_) abandon();
}

std::string MysqlLoadPlan::shadow_name(const char* role) const {
  std::string suffix = fmt::format("__dvt_{}_{}", role, token_);
  return utf8_prefix(request_.table.name, kMaxIdentifier - suffix.size()) + suffix;
}

std::string MysqlLoadPlan::create_from_incoming(const std::string& table) const {
  size_t key_strings = 0;
  for (const auto& name : incoming_.primary_key) {
    int index = incoming_.find(name);
    if (index >= 0 && is_string_target(incoming_.columns[index].type)) ++key_strings;
  }
  std::string columns;
  for (const auto& column : incoming_.columns) {
    bool key = std::find(incoming_.primary_key.begin(), incoming_.primary_key.end(), column.name) !=
               incoming_.primary_key.end();
    MysqlTargetType target = target_type(column.type, key, key_strings);
    if (!columns.empty()) columns += ", ";
    columns += quote(column.name) + " " + target.declaration;
    // Explicit NULL: on old servers a bare TIMESTAMP column is NOT NULL with
    // an automatic default.
    columns += column.nullable && !key ? " NULL" : " NOT NULL";
  }
  if (!incoming_.primary_key.empty()) {
    std::string key;
    for (const auto& name : incoming_.primary_key) key += (key.empty() ? "" : ", ") + quote(name);
    columns += ", PRIMARY KEY (" + key + ")";
  }
  // InnoDB: transactions. utf8mb4_bin: text compares as its exact bytes, so a
  // key never rejects 'a' beside 'A'.
  return fmt::format(
      "CREATE TABLE {} ({}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin", table,
      columns);
}

void MysqlLoadPlan::begin() {
  began_ = true;
  switch (strategy_) {
    case LoadStrategy::kSwap:
    case LoadStrategy::kStagedCopy:
      if (create_from_incoming_) {
        connection_.execute(create_from_incoming(shadow_));
      } else {
        connection_.execute(fmt::format("CREATE TABLE {} LIKE {}", shadow_, target_table_));
      }
      break;
    case LoadStrategy::kInPlace:
      connection_.execute("START TRANSACTION");
      in_transaction_ = true;
      if (delete_first_) connection_.execute("DELETE FROM " + target_table_);
      break;
  }
}

void MysqlLoadPlan::finish(uint64_t rows) {
  switch (strategy_) {
    case LoadStrategy::kInPlace:
      connection_.execute("COMMIT");
      in_transaction_ = false;
      break;
    case LoadStrategy::kStagedCopy: {
      connection_.execute("START TRANSACTION");
      in_transaction_ = true;
      if (delete_first_) connection_.execute("DELETE FROM " + target_table_);
      std::string columns;
      for (const auto& column : incoming_.columns) {
        columns += (columns.empty() ? "" : ", ") + quote(column.name);
      }
      connection_.execute(fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", target_table_,
                                      columns, columns, shadow_));
      uint64_t copied = mysql_affected_rows(connection_.get());
      if (copied != rows) {
        throw DataError(
            fmt::format("{}: {} rows were loaded but {} copied into the target; nothing "
                        "was changed",
                        target_.display(), rows, copied));
      }
      connection_.execute("COMMIT");
      in_transaction_ = false;
      connection_.execute("DROP TABLE " + shadow_);
      shadow_.clear();
      break;
    }
    case LoadStrategy::kSwap:
      if (target_.exists) {
        std::string old = qualified(target_.database, shadow_name("old"));
        connection_.execute(fmt::format("RENAME TABLE {} TO {}, {} TO {}", target_table_, old,
                                        shadow_, target_table_));
        shadow_.clear();
        try {
          connection_.execute("DROP TABLE " + old);
        } catch (const Error& error) {
          // The target already holds the new rows; only the old copy remains.
          log_warn("mysql.load.cleanup",
                   fmt::format("{} now holds the new rows, but its previous rows remain in {}: {}",
                               target_.display(), old, error.what()));
        }
      } else {
        connection_.execute(fmt::format("RENAME TABLE {} TO {}", shadow_, target_table_));
        shadow_.clear();
      }
      break;
  }
  finished_ = true;
}

void MysqlLoadPlan::abandon() noexcept {
  if (finished_) return;
  finished_ = true;
  MYSQL* mysql = connection_.get();
  if (in_transaction_) {
    mysql_query(mysql, "ROLLBACK");
    in_transaction_ = false;
  }
  if (!shadow_.empty()) {
    // A session of the pipe tier may still hold a lock on the shadow.
    mysql_query(mysql, "SET SESSION lock_wait_timeout = 30");
    std::string drop = "DROP TABLE IF EXISTS " + shadow_;
    bool dropped = mysql_real_query(mysql, drop.data(), drop.size()) == 0;
    unsigned code = mysql_errno(mysql);
    if (!dropped && (code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST)) {
      // The load's session is gone (killed, or the network failed), and the
      // shadow with it would stay behind: drop it over a new session.
      try {
        MysqlConnection fresh(connection_.settings(), MysqlConnection::Purpose::kWrite);
        fresh.execute("SET SESSION lock_wait_timeout = 30");
        fresh.execute(drop);
        dropped = true;
      } catch (...) {
      }
    }
    if (!dropped) {
      try {
        log_warn("mysql.load.cleanup",
                 fmt::format("could not drop the shadow table {} after a failed load ({}); drop it "
                             "by hand",
                             shadow_, connection_.error_text()));
      } catch (...) {
      }
    }
    shadow_.clear();
  }
}

}  // namespace dvt::mysql
