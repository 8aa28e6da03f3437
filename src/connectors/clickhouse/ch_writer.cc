#include "connectors/clickhouse/ch_writer.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "connectors/shadow_tables.h"
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

}  // namespace

ChWriter::ChWriter(std::unique_ptr<ChSession> session, const ServerInfo& server,
                   const LoadRequest& request, const std::string& database,
                   const TableSchema& incoming, std::string label)
    : session_(std::move(session)),
      server_(server),
      sql_(*session_, server_),
      request_(request),
      database_(database),
      incoming_(incoming),
      label_(std::move(label)) {
  target_ = lookup_table(*session_, database_, request_.table.name,
                         shadow_table_prefix(request_.table.name, 0));
  recover_leftovers(*session_, target_, label_);
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
  const ChDialect dialect(server_.ddl);
  check_incoming_columns(request_, target_table(target_, label_), incoming_, dialect);
  bool keep_structure = target_.exists && !request_.full_refresh;
  std::vector<std::string> created_columns;
  for (const auto& column : incoming_.columns) {
    if (keep_structure) {
      targets_.push_back(target_.columns[static_cast<size_t>(target_.find(column.name))].type);
    } else {
      targets_.push_back(parse_type(dialect.declared_type(column, incoming_)));
      created_columns.push_back(dialect.column_definition(column, incoming_));
    }
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
  runner_ = std::make_unique<LoadRunner>(
      sql_, plan_load(target_, request_, incoming_, created_columns, label_), label_);
  insert_sql_ = fmt::format("INSERT INTO {} ({}) FORMAT {}", runner_->rows_into(),
                            dialect.name_list(names), native ? "Native" : "RowBinary");
  runner_->begin();
}

ChWriter::~ChWriter() {
  abort();
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

uint64_t ChWriter::count_rows(const std::string& table) {
  auto rows = sql_.rows(fmt::format("SELECT toString(count()) FROM {}", table));
  uint64_t count = 0;
  if (rows.empty() || !rows[0][0] ||
      std::from_chars(rows[0][0]->data(), rows[0][0]->data() + rows[0][0]->size(), count).ec !=
          std::errc()) {
    throw DataError(fmt::format("{}: cannot count the rows of {}", label_, table));
  }
  return count;
}

TableChanges ChWriter::commit() {
  if (finished_) throw InternalError("ClickHouse writer committed twice");
  finished_ = true;
  try {
    if (native_) native_->flush(block_);
    if (!block_.empty()) send_block();
    if (!sink_) open_sink();  // no rows: the INSERT still checks the statement
    sink_->finish();
    sink_.reset();
    check_interrupted();
    uint64_t stored = count_rows(runner_->rows_into());
    if (stored != rows_sent_) {
      throw DataError(fmt::format("{}: {} rows sent but {} stored; the table was left unchanged",
                                  label_, rows_sent_, stored));
    }
    return runner_->finish(stored);
  } catch (...) {
    sink_.reset();
    runner_->abandon();
    throw;
  }
}

void ChWriter::abort() noexcept {
  finished_ = true;
  // Ending the INSERT first: a DROP waits for statements using the table.
  sink_.reset();
  if (runner_) runner_->abandon();
}

}  // namespace dvt::ch
