#include "connectors/clickhouse/ch_writer.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/temp_file.h"

namespace dvt::ch {
namespace {

constexpr size_t kBlockBytes = size_t{1} << 20;
// clickhouse-client gathers RowBinary rows into blocks of
// max_insert_block_size rows (a million by default) before it sends them,
// and holds several times their bytes while it does: 285 MB for the
// benchmark table. Blocks of about this many RowBinary bytes keep it near
// 90 MB.
constexpr uint64_t kClientBlockBytes = uint64_t{4} << 20;
constexpr const char* kTempMarker = "__dvt_tmp_";
constexpr const char* kOldMarker = "__dvt_old_";

// Eight hex digits naming this machine (FNV-1a of the host name), so a
// leftover table is only ever cleaned up from the host that made it.
std::string host_tag() {
  char name[256] = {};
  ::gethostname(name, sizeof(name) - 1);
  uint32_t hash = 2166136261u;
  for (const char* p = name; *p; ++p) {
    hash ^= static_cast<uint8_t>(*p);
    hash *= 16777619u;
  }
  return fmt::format("{:08x}", hash);
}

}  // namespace

std::string ChWriter::staging_name(const std::string& table) {
  return fmt::format("{}{}{}_{}", table, kTempMarker, host_tag(), ::getpid());
}

ChWriter::ChWriter(std::unique_ptr<ChSession> session, const ServerInfo& server,
                   const LoadRequest& request, const std::string& database,
                   const TableSchema& incoming, std::string label)
    : session_(std::move(session)),
      server_(server),
      request_(request),
      database_(database),
      incoming_(incoming),
      label_(std::move(label)) {
  staging_ = staging_name(request_.table.name);
  old_ = fmt::format("{}{}{}_{}", request_.table.name, kOldMarker, host_tag(), ::getpid());
  target_ = lookup_table(*session_, database_, request_.table.name, request_.table.name + "__dvt_");
  recover_leftovers();
  if (target_.exists) {
    const std::string& engine = target_.engine;
    bool loadable = target_.is_merge_tree() || engine == "Log" || engine == "TinyLog" ||
                    engine == "StripeLog" || engine == "Memory";
    if (!loadable) {
      throw ConfigError(
          fmt::format("{}: dvt loads into MergeTree, Log and Memory tables; {} is a {} table",
                      label_, target_.qualified(), engine));
    }
  }
  bool keep_structure = target_.exists && !request_.full_refresh;
  if (keep_structure) {
    for (const auto& column : incoming_.columns) {
      int index = target_.find(column.name);
      if (index < 0) {
        throw DataError(fmt::format(
            "{}: table {} has no column \"{}\"; use --full-refresh to recreate it with the "
            "incoming columns",
            label_, target_.qualified(), column.name));
      }
      targets_.push_back(target_.columns[static_cast<size_t>(index)].type);
    }
    publish_ = request_.mode == LoadMode::kAppend ? Publish::kAppend : Publish::kSwap;
  } else {
    for (const auto& column : incoming_.columns) {
      targets_.push_back(parse_type(ddl_type(column.type, column.nullable, server_.ddl)));
    }
    publish_ = target_.exists ? Publish::kSwap : Publish::kRename;
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < incoming_.columns.size(); ++i) {
    wires_.push_back(wire_type(targets_[i], incoming_.columns[i].type));
    names.push_back(incoming_.columns[i].name);
  }
  bool native = std::all_of(targets_.begin(), targets_.end(),
                            [](const ChType& target) { return NativeEncoder::supports(target); });
  if (native) {
    native_ = std::make_unique<NativeEncoder>(targets_, wires_, names, label_);
  } else {
    row_binary_ = std::make_unique<RowBinaryEncoder>(targets_, wires_, names, label_);
  }
  std::string columns;
  for (const auto& name : names) columns += (columns.empty() ? "" : ", ") + quote_identifier(name);
  insert_sql_ = fmt::format("INSERT INTO {} ({}) FORMAT {}", qualified_name(database_, staging_),
                            columns, native ? "Native" : "RowBinary");
  create_staging();
}

ChWriter::~ChWriter() {
  abort();
}

void ChWriter::recover_leftovers() {
  const std::string tag = host_tag();
  bool restored = false;
  for (const std::string& name : target_.related) {
    std::string rest = name.substr(request_.table.name.size());
    bool temp = rest.rfind(kTempMarker, 0) == 0;
    bool old = rest.rfind(kOldMarker, 0) == 0;
    if (!temp && !old) continue;
    rest = rest.substr(std::string(kTempMarker).size());
    pid_t pid = dead_process_in(rest, tag + "_");
    if (pid == 0) continue;
    if (old && !target_.exists && !restored) {
      // Killed between the two renames of a swap: the old table is the
      // table's last published contents.
      session_->execute(fmt::format("RENAME TABLE {} TO {}", qualified_name(database_, name),
                                    qualified_name(database_, request_.table.name)));
      restored = true;
      log_warn("clickhouse.recover",
               fmt::format("{}: restored table {} from {}, left by a load that was killed "
                           "while publishing",
                           label_, request_.table.name, name));
      continue;
    }
    session_->execute(fmt::format("DROP TABLE IF EXISTS {}", qualified_name(database_, name)));
    log_info(
        "clickhouse.cleanup",
        fmt::format("{}: dropped {}, left by a load that was killed (pid {})", label_, name, pid));
  }
  if (restored) target_ = lookup_table(*session_, database_, request_.table.name);
}

void ChWriter::create_staging() {
  std::string staging = qualified_name(database_, staging_);
  if (publish_ != Publish::kRename && !request_.full_refresh) {
    session_->execute(fmt::format("CREATE TABLE {} AS {}", staging, target_.qualified()),
                      server_.ddl_settings());
    staging_exists_ = true;
    return;
  }
  std::string columns;
  for (size_t i = 0; i < incoming_.columns.size(); ++i) {
    columns += fmt::format("{}{} {}", i ? ", " : "", quote_identifier(incoming_.columns[i].name),
                           targets_[i].spelling);
  }
  // ORDER BY the primary key when every key column is present and not
  // Nullable (ClickHouse sorts by no Nullable column by default).
  std::string order = "tuple()";
  if (!incoming_.primary_key.empty()) {
    std::string key;
    bool usable = true;
    for (const auto& name : incoming_.primary_key) {
      int index = incoming_.find(name);
      if (index < 0 || targets_[static_cast<size_t>(index)].nullable()) {
        usable = false;
        break;
      }
      key += (key.empty() ? "" : ", ") + quote_identifier(name);
    }
    if (usable) order = "(" + key + ")";
  }
  session_->execute(
      fmt::format("CREATE TABLE {} ({}) ENGINE = MergeTree ORDER BY {}", staging, columns, order),
      server_.ddl_settings());
  staging_exists_ = true;
}

void ChWriter::open_sink() {
  Settings settings;
  if (row_binary_ && std::string(session_->method()) == "pipe") {
    // Only the first block has been encoded: its rows tell their size.
    uint64_t row_bytes = std::max<uint64_t>(1, block_.size() / std::max<uint64_t>(1, rows_sent_));
    uint64_t rows = std::clamp<uint64_t>(kClientBlockBytes / row_bytes, 1024, 1048576);
    settings.emplace_back("max_insert_block_size", std::to_string(rows));
  }
  log_debug("clickhouse.insert",
            fmt::format("{}: sending rows as {}", label_, native_ ? "Native" : "RowBinary"),
            {{"format", native_ ? "Native" : "RowBinary"}});
  sink_ = session_->open_insert(insert_sql_, settings);
}

void ChWriter::send_block() {
  if (!sink_) open_sink();
  bytes_ += block_.size();
  sink_->write(block_);
}

void ChWriter::write(duckdb_data_chunk chunk) {
  check_interrupted();
  if (finished_) throw InternalError("ClickHouse writer used after commit or abort");
  uint64_t rows = duckdb_data_chunk_get_size(chunk);
  if (native_) {
    native_->add(chunk, rows_sent_);
    rows_sent_ += rows;
    if (native_->bytes() >= kBlockBytes) native_->flush(block_);
  } else {
    row_binary_->encode(chunk, block_, rows_sent_);
    rows_sent_ += rows;
  }
  if (block_.size() >= kBlockBytes) send_block();
}

uint64_t ChWriter::count_rows(const std::string& name) {
  auto rows = query_strings(
      *session_, fmt::format("SELECT toString(count()) FROM {}", qualified_name(database_, name)),
      1);
  uint64_t count = 0;
  if (rows.empty() ||
      std::from_chars(rows[0][0].data(), rows[0][0].data() + rows[0][0].size(), count).ec !=
          std::errc()) {
    throw DataError(fmt::format("{}: cannot count the rows of {}", label_, name));
  }
  return count;
}

uint64_t ChWriter::commit() {
  if (finished_) throw InternalError("ClickHouse writer committed twice");
  finished_ = true;
  if (native_) native_->flush(block_);
  if (!block_.empty()) send_block();
  if (!sink_) open_sink();  // no rows: the INSERT still checks the statement
  sink_->finish();
  sink_.reset();
  check_interrupted();
  uint64_t stored = count_rows(staging_);
  if (stored != rows_sent_) {
    throw DataError(fmt::format("{}: {} rows sent but {} stored; the table was left unchanged",
                                label_, rows_sent_, stored));
  }
  publish();
  return stored;
}

void ChWriter::publish() {
  std::string target = qualified_name(database_, request_.table.name);
  std::string staging = qualified_name(database_, staging_);
  switch (publish_) {
    case Publish::kRename:
      session_->execute(fmt::format("RENAME TABLE {} TO {}", staging, target));
      staging_exists_ = false;
      return;
    case Publish::kSwap:
      swap_in();
      return;
    case Publish::kAppend:
      append_in();
      return;
  }
}

void ChWriter::swap_in() {
  std::string target = qualified_name(database_, request_.table.name);
  std::string staging = qualified_name(database_, staging_);
  if (target_.atomic_database) {
    // One atomic step; staging then holds the old contents.
    session_->execute(fmt::format("EXCHANGE TABLES {} AND {}", staging, target));
    drop(staging_);
    staging_exists_ = false;
    return;
  }
  std::string old = qualified_name(database_, old_);
  try {
    session_->execute(fmt::format("RENAME TABLE {} TO {}, {} TO {}", target, old, staging, target));
  } catch (...) {
    // RENAME of two tables is not atomic: put the old table back if only
    // the first rename happened (even after Ctrl-C).
    session_->set_interruptible(false);
    try {
      auto exists = [&](const std::string& name) {
        return !query_strings(
                    *session_,
                    fmt::format("SELECT name FROM system.tables WHERE database = {} AND name = {}",
                                quote_literal(database_), quote_literal(name)),
                    1)
                    .empty();
      };
      if (!exists(request_.table.name) && exists(old_)) {
        session_->execute(fmt::format("RENAME TABLE {} TO {}", old, target));
      }
    } catch (const std::exception& error) {
      log_warn("clickhouse.swap",
               fmt::format("{}: could not rename {} back to {}: {}; do it by hand", label_, old_,
                           request_.table.name, error.what()));
    }
    session_->set_interruptible(true);
    throw;
  }
  staging_exists_ = false;
  drop(old_);
}

void ChWriter::append_in() {
  std::string target = qualified_name(database_, request_.table.name);
  std::string staging = qualified_name(database_, staging_);
  if (target_.is_merge_tree()) {
    auto partitions =
        query_strings(*session_,
                      fmt::format("SELECT DISTINCT partition_id FROM system.parts WHERE active AND "
                                  "database = {} AND table = {}",
                                  quote_literal(database_), quote_literal(staging_)),
                      1);
    for (const auto& partition : partitions) {
      session_->execute(fmt::format("ALTER TABLE {} ATTACH PARTITION ID {} FROM {}", target,
                                    quote_literal(partition[0]), staging));
    }
  } else {
    std::string columns;
    for (const auto& column : incoming_.columns) {
      columns += (columns.empty() ? "" : ", ") + quote_identifier(column.name);
    }
    session_->execute(
        fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", target, columns, columns, staging));
  }
  drop(staging_);
  staging_exists_ = false;
}

void ChWriter::drop(const std::string& name) noexcept {
  try {
    session_->set_interruptible(false);
    session_->execute(fmt::format("DROP TABLE IF EXISTS {}", qualified_name(database_, name)));
    session_->set_interruptible(true);
  } catch (const std::exception& error) {
    session_->set_interruptible(true);
    log_warn("clickhouse.cleanup",
             fmt::format("{}: could not drop {}: {}; drop it by hand", label_, name, error.what()));
  }
}

void ChWriter::abort() noexcept {
  finished_ = true;
  // Ending the INSERT first: a DROP waits for statements using the table.
  sink_.reset();
  // Unpublished rows, or (after a failed append) the partitions not attached.
  if (staging_exists_) {
    drop(staging_);
    staging_exists_ = false;
  }
}

}  // namespace dvt::ch
