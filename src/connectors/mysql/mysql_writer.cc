#include "connectors/mysql/mysql_writer.h"

#include <errmsg.h>
#include <fmt/format.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <regex>
#include <thread>

#include "connectors/mysql/mysql_encoder.h"
#include "connectors/mysql/mysql_load_plan.h"
#include "connectors/mysql/mysql_reader.h"
#include "connectors/mysql/mysql_types.h"
#include "connectors/pipe/child_process.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"

namespace dvt::mysql {
namespace {

// Encoded bytes handed on at a time; the stream queues a few such blocks and
// recycles them (no allocation per block once running).
constexpr size_t kBlockBytes = 512 << 10;
constexpr size_t kQueuedBlocks = 4;
// The name LOAD DATA asks for; the callbacks serve only this stream, never a
// file, whatever name the server requests.
constexpr const char* kStreamName = "dvt-stream";
// The strict sql_mode of writer sessions (mysql_connection.cc), for the CLI.
constexpr const char* kStrictMode =
    "STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO";

std::vector<EncodedColumn> encoded_columns(const TableSchema& incoming,
                                           const std::vector<std::string>& target_data_types) {
  std::vector<EncodedColumn> columns;
  for (size_t i = 0; i < incoming.columns.size(); ++i) {
    EncodedColumn column;
    column.name = incoming.columns[i].name;
    column.target = target_type(incoming.columns[i].type, false, 1);
    column.bit_target = target_data_types[i] == "bit";
    column.year_target = target_data_types[i] == "year";
    columns.push_back(std::move(column));
  }
  return columns;
}

std::string load_data_sql(const std::string& file, const std::string& table,
                          const MysqlRowEncoder& encoder) {
  // The escape character is a backslash: writer sessions never set
  // NO_BACKSLASH_ESCAPES, so '\\' is one backslash.
  return fmt::format(
      "LOAD DATA LOCAL INFILE '{}' INTO TABLE {} CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' "
      "ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' {}",
      file, table, encoder.load_data_columns());
}

// "Warning 1265: Data truncated for column 't' at row 2; ..." (at most 5).
std::string first_warnings(MysqlConnection& connection) {
  std::string text;
  try {
    MysqlRows rows = connection.query("SHOW WARNINGS LIMIT 5");
    for (const auto& row : rows) {
      if (!text.empty()) text += "; ";
      text +=
          fmt::format("{} {}: {}", row[0].value_or(""), row[1].value_or(""), row[2].value_or(""));
    }
  } catch (const Error& error) {
    text = error.what();
  }
  return text;
}

// The common part of the writers: plan, encoder, counters, commit/abort.
class MysqlWriterBase : public BatchWriter {
 public:
  MysqlWriterBase(std::unique_ptr<MysqlConnection> connection, const LoadRequest& request,
                  const TableSchema& incoming, bool rows_in_other_session)
      : connection_(std::move(connection)),
        plan_(*connection_, request, incoming, rows_in_other_session),
        encoder_(encoded_columns(incoming, plan_.target_data_types()),
                 fmt::format("loading {}:{}", connection_->settings().output_name,
                             request.table.display())),
        label_(fmt::format("{}:{}", connection_->settings().output_name, request.table.display())) {
    for (const auto& column : encoder_.columns()) wire_.push_back(column.target.wire);
    // An overwrite that cannot swap tables deletes and reloads in place: say so.
    bool in_place = request.mode == LoadMode::kOverwrite && !request.full_refresh &&
                    plan_.strategy() != LoadStrategy::kSwap;
    std::string message = fmt::format("{}: {}", label_, plan_.explanation());
    if (in_place) {
      log_info("mysql.load.plan", message);
    } else {
      log_debug("mysql.load.plan", message);
    }
  }

  std::vector<Type> wire_types() const override { return wire_; }
  uint64_t bytes_written() const override { return bytes_; }

  TableChanges commit() override {
    uint64_t stored = finish_rows();
    if (stored != rows_sent_) {
      throw DataError(fmt::format("{}: {} rows sent but the server stored {}; nothing was changed",
                                  label_, rows_sent_, stored));
    }
    TableChanges changes = plan_.finish(stored);
    committed_ = true;
    return changes;
  }

  void abort() noexcept override {
    if (committed_) return;
    abort_rows();
    plan_.abandon();
  }

 protected:
  // Ends the row stream and returns how many rows the server stored; throws
  // DataError on warnings.
  virtual uint64_t finish_rows() = 0;
  virtual void abort_rows() noexcept = 0;

  [[noreturn]] void warnings_error(uint64_t warnings, const std::string& details) {
    throw DataError(fmt::format(
        "{}: the server reported {} warning{} while loading, so a value would have been "
        "truncated, clipped or dropped; nothing was changed. {}",
        label_, warnings, warnings == 1 ? "" : "s", details));
  }

  std::unique_ptr<MysqlConnection> connection_;
  MysqlLoadPlan plan_;
  MysqlRowEncoder encoder_;
  std::string label_;
  std::vector<Type> wire_;
  uint64_t rows_sent_ = 0;
  uint64_t bytes_ = 0;
  bool committed_ = false;
};

// Runs one LOAD DATA LOCAL INFILE on its own thread and feeds it blocks.
class LocalInfileStream {
 public:
  struct Outcome {
    bool ok = false;
    unsigned error_code = 0;
    std::string error;
    uint64_t affected_rows = 0;
    unsigned warnings = 0;
  };

  LocalInfileStream(MysqlConnection& connection, std::string sql)
      : connection_(connection), sql_(std::move(sql)) {
    mysql_set_local_infile_handler(connection_.get(), &on_init, &on_read, &on_end, &on_error, this);
    thread_ = std::thread([this] { run(); });
  }
  ~LocalInfileStream() { cancel(); }
  LocalInfileStream(const LocalInfileStream&) = delete;
  LocalInfileStream& operator=(const LocalInfileStream&) = delete;

  // Queues `block` (left holding an empty buffer to fill next), waiting while
  // the queue is full. Returns false when the statement has already ended
  // (finish() tells why).
  bool push(std::string& block) {
    if (block.empty()) return true;
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return queue_.size() < kQueuedBlocks || statement_done_; });
    if (statement_done_) return false;
    queue_.push_back(std::move(block));
    if (!spare_.empty()) {
      block = std::move(spare_.back());
      spare_.pop_back();
    } else {
      block = std::string();
    }
    block.clear();
    changed_.notify_all();
    return true;
  }

  // Ends the input and waits for the statement's outcome.
  Outcome finish() {
    {
      std::lock_guard lock(mutex_);
      input_done_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
    return outcome_;
  }

  // Makes the statement fail (the read callback reports an error) and waits.
  void cancel() noexcept {
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() noexcept {
    MYSQL* mysql = connection_.get();
    Outcome outcome;
    if (mysql_real_query(mysql, sql_.data(), sql_.size()) == 0) {
      outcome.ok = true;
      outcome.affected_rows = mysql_affected_rows(mysql);
      outcome.warnings = mysql_warning_count(mysql);
    } else {
      outcome.error_code = mysql_errno(mysql);
      outcome.error = mysql_error(mysql);
    }
    mysql_set_local_infile_default(mysql);
    std::lock_guard lock(mutex_);
    outcome_ = std::move(outcome);
    statement_done_ = true;
    changed_.notify_all();
  }

  // The callbacks run on the statement's thread, inside mysql_real_query.
  // None may let an exception out.
  static int on_init(void** state, const char* file, void* self) {
    *state = self;
    auto* stream = static_cast<LocalInfileStream*>(self);
    stream->wrong_file_ = std::strcmp(file, kStreamName) != 0;
    return stream->wrong_file_ ? 1 : 0;
  }

  static int on_read(void* state, char* buffer, unsigned int size) {
    auto* stream = static_cast<LocalInfileStream*>(state);
    try {
      return stream->read(buffer, size);
    } catch (...) {
      return -1;
    }
  }

  static void on_end(void* /*state*/) {}

  static int on_error(void* state, char* message, unsigned int size) {
    auto* stream = static_cast<LocalInfileStream*>(state);
    const char* text = stream && stream->wrong_file_
                           ? "dvt: the server asked for a file dvt did not offer"
                           : "dvt stopped the load";
    std::snprintf(message, size, "%s", text);
    return CR_UNKNOWN_ERROR;
  }

  int read(char* buffer, unsigned int size) {
    if (offset_ == current_.size()) {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return !queue_.empty() || input_done_ || cancelled_; });
      if (cancelled_) return -1;
      if (queue_.empty()) return 0;
      if (current_.capacity() > 0 && spare_.size() < 2) spare_.push_back(std::move(current_));
      current_ = std::move(queue_.front());
      queue_.pop_front();
      offset_ = 0;
      changed_.notify_all();
    }
    size_t count = std::min<size_t>(size, current_.size() - offset_);
    std::memcpy(buffer, current_.data() + offset_, count);
    offset_ += count;
    return static_cast<int>(count);
  }

  MysqlConnection& connection_;
  std::string sql_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;
  std::vector<std::string> spare_;  // read blocks, returned for reuse
  bool input_done_ = false;
  bool cancelled_ = false;
  bool statement_done_ = false;
  bool wrong_file_ = false;
  std::string current_;  // the block being read (statement thread only)
  size_t offset_ = 0;
  Outcome outcome_;
  std::thread thread_;
};

// Rows as LOAD DATA text, gathered into blocks of about kBlockBytes; a
// subclass sends each full block on (to the server, or to the client).
class MysqlLoadDataBlocks : public MysqlWriterBase {
 public:
  MysqlLoadDataBlocks(std::unique_ptr<MysqlConnection> connection, const LoadRequest& request,
                      const TableSchema& incoming, bool rows_in_other_session)
      : MysqlWriterBase(std::move(connection), request, incoming, rows_in_other_session) {
    block_.reserve(kBlockBytes + kBlockBytes / 4);
  }

  void write(duckdb_data_chunk chunk) override {
    check_interrupted();
    const idx_t rows = duckdb_data_chunk_get_size(chunk);
    encoder_.begin(chunk, rows_sent_ + 1);
    for (idx_t row = 0; row < rows; ++row) {
      encoder_.append_load_data_row(row, block_);
      if (block_.size() >= kBlockBytes) flush();
    }
    rows_sent_ += rows;
  }

 protected:
  // Sends block_ on and leaves it empty.
  virtual void flush() = 0;

  std::string block_;
};

class MysqlLoadDataWriter : public MysqlLoadDataBlocks {
 public:
  MysqlLoadDataWriter(std::unique_ptr<MysqlConnection> connection, const LoadRequest& request,
                      const TableSchema& incoming)
      : MysqlLoadDataBlocks(std::move(connection), request, incoming, false) {
    plan_.begin();
    std::string sql = load_data_sql(kStreamName, plan_.load_table(), encoder_);
    log_debug("mysql.load", sql);
    stream_ = std::make_unique<LocalInfileStream>(*connection_, sql);
  }
  ~MysqlLoadDataWriter() override { MysqlLoadDataWriter::abort(); }

 private:
  void flush() override {
    bytes_ += block_.size();
    if (!stream_->push(block_)) {
      // The statement ended before its input did: report why.
      LocalInfileStream::Outcome outcome = stream_->finish();
      fail(outcome);
    }
    block_.reserve(kBlockBytes + kBlockBytes / 4);
  }

  [[noreturn]] void fail(const LocalInfileStream::Outcome& outcome) {
    if (!outcome.ok) {
      throw DataError(fmt::format("{}: LOAD DATA failed: {} (MySQL error {}); nothing was changed",
                                  label_, Logger::instance().redact(outcome.error),
                                  outcome.error_code));
    }
    throw DataError(fmt::format("{}: LOAD DATA ended before all rows were sent", label_));
  }

  uint64_t finish_rows() override {
    flush();
    LocalInfileStream::Outcome outcome = stream_->finish();
    if (!outcome.ok) fail(outcome);
    if (outcome.warnings > 0) warnings_error(outcome.warnings, first_warnings(*connection_));
    return outcome.affected_rows;
  }

  void abort_rows() noexcept override {
    if (stream_) stream_->cancel();
  }

  std::unique_ptr<LocalInfileStream> stream_;
};

class MysqlInsertWriter : public MysqlWriterBase {
 public:
  MysqlInsertWriter(std::unique_ptr<MysqlConnection> connection, const LoadRequest& request,
                    const TableSchema& incoming)
      : MysqlWriterBase(std::move(connection), request, incoming, false) {
    // Each statement stays well under max_allowed_packet.
    uint64_t packet =
        std::stoull(connection_->query_value("SELECT @@max_allowed_packet").value_or("4194304"));
    batch_bytes_ = std::clamp<uint64_t>(packet / 2, 64 * 1024, 8 << 20);
    std::string columns;
    for (const auto& column : encoder_.columns()) {
      columns += (columns.empty() ? "" : ", ") + quote(column.name);
    }
    plan_.begin();
    prefix_ = fmt::format("INSERT INTO {} ({}) VALUES ", plan_.load_table(), columns);
    statement_ = prefix_;
  }
  ~MysqlInsertWriter() override { MysqlInsertWriter::abort(); }

  void write(duckdb_data_chunk chunk) override {
    check_interrupted();
    const idx_t rows = duckdb_data_chunk_get_size(chunk);
    encoder_.begin(chunk, rows_sent_ + 1);
    for (idx_t row = 0; row < rows; ++row) {
      if (rows_in_statement_ > 0) statement_ += ',';
      encoder_.append_insert_row(row, statement_);
      ++rows_in_statement_;
      if (statement_.size() >= batch_bytes_) flush();
    }
    rows_sent_ += rows;
  }

 private:
  void flush() {
    if (rows_in_statement_ == 0) return;
    MYSQL* mysql = connection_->get();
    if (mysql_real_query(mysql, statement_.data(), statement_.size()) != 0) {
      // Every earlier statement stored all its rows (checked below), so this
      // one starts at row stored_ + 1; the server numbers rows within it.
      throw DataError(fmt::format(
          "loading {} (an INSERT of rows {} to {}, which the server numbers from 1) on {}: {} "
          "(MySQL error {}); nothing was changed",
          label_, stored_ + 1, stored_ + rows_in_statement_, connection_->settings().label(),
          connection_->error_text(), connection_->error_code()));
    }
    stored_ += mysql_affected_rows(mysql);
    if (unsigned warnings = mysql_warning_count(mysql)) {
      warnings_error(warnings, first_warnings(*connection_));
    }
    bytes_ += statement_.size();
    statement_.assign(prefix_);
    rows_in_statement_ = 0;
  }

  uint64_t finish_rows() override {
    flush();
    return stored_;
  }

  void abort_rows() noexcept override {}

  std::string prefix_;
  std::string statement_;
  uint64_t batch_bytes_ = 0;
  uint64_t rows_in_statement_ = 0;
  uint64_t stored_ = 0;
};

class MysqlPipeWriter : public MysqlLoadDataBlocks {
 public:
  MysqlPipeWriter(std::unique_ptr<MysqlConnection> connection, const LoadRequest& request,
                  const TableSchema& incoming)
      : MysqlLoadDataBlocks(std::move(connection), request, incoming, true) {
    plan_.begin();
    std::string sql =
        fmt::format("SET time_zone = '+00:00', SESSION sql_mode = '{}'; {}", kStrictMode,
                    load_data_sql("/dev/stdin", plan_.load_table(), encoder_));
    log_debug("mysql.load", sql);
    ChildOptions options = client_command(
        connection_->settings(), sql, {"--batch", "--local-infile=1", "--show-warnings", "-vv"});
    options.pipe_stdin = true;
    options.pipe_stdout = true;
    child_ = std::make_unique<ChildProcess>(options);
  }
  ~MysqlPipeWriter() override { MysqlPipeWriter::abort(); }

 private:
  void flush() override {
    child_->write_all(block_.data(), block_.size());
    bytes_ += block_.size();
    block_.clear();
  }

  uint64_t finish_rows() override {
    flush();
    child_->close_stdin();
    std::string output;
    char buffer[4096];
    while (size_t got = child_->read(buffer, sizeof(buffer))) output.append(buffer, got);
    child_->check_success(fmt::format("loading {}", label_));
    child_.reset();
    // The client's report of the LOAD DATA statement (with -vv).
    static const std::regex kRecords(
        R"(Records: (\d+)\s+Deleted: (\d+)\s+Skipped: (\d+)\s+Warnings: (\d+))");
    std::smatch match;
    if (!std::regex_search(output, match, kRecords)) {
      throw DataError(fmt::format("{}: the client did not report how many rows it loaded: {}",
                                  label_, Logger::instance().redact(output)));
    }
    uint64_t records = std::stoull(match[1].str());
    uint64_t skipped = std::stoull(match[3].str());
    uint64_t warnings = std::stoull(match[4].str());
    if (warnings > 0 || skipped > 0) {
      std::string details;
      static const std::regex kWarning(R"((?:Warning|Note|Error) \(Code \d+\): [^\n]*)");
      for (auto it = std::sregex_iterator(output.begin(), output.end(), kWarning);
           it != std::sregex_iterator() && details.size() < 1000; ++it) {
        details += (details.empty() ? "" : "; ") + it->str();
      }
      warnings_error(std::max(warnings, skipped), details);
    }
    return records - skipped;
  }

  void abort_rows() noexcept override {
    // Stops the client (its session's statement ends with it).
    child_.reset();
  }

  std::unique_ptr<ChildProcess> child_;
};

}  // namespace

std::unique_ptr<BatchWriter> make_mysql_writer(WriteMethod method,
                                               std::unique_ptr<MysqlConnection> connection,
                                               const LoadRequest& request,
                                               const TableSchema& incoming) {
  switch (method) {
    case WriteMethod::kLoadData:
      return std::make_unique<MysqlLoadDataWriter>(std::move(connection), request, incoming);
    case WriteMethod::kInsert:
      return std::make_unique<MysqlInsertWriter>(std::move(connection), request, incoming);
    case WriteMethod::kPipe:
      return std::make_unique<MysqlPipeWriter>(std::move(connection), request, incoming);
  }
  throw InternalError("unknown MySQL write method");
}

}  // namespace dvt::mysql
