#include "connectors/postgres/pg_pipe_writer.h"

#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "connectors/postgres/pg_copy_writer.h"
#include "connectors/postgres/pg_dialect.h"
#include "connectors/postgres/pg_types.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "engine/chunk_columns.h"

namespace dvt::pg {
namespace {

constexpr size_t kFlushSize = 1 << 20;

bool is_date_like(const Type& type) {
  switch (type.id) {
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return true;
    default:
      return false;
  }
}

bool is_date_like_oid(uint32_t oid) {
  return oid == kDateOid || oid == kTimestampOid || oid == kTimestampTzOid;
}

// The codec of a scalar value (or array element) of `incoming` type going
// into a column of base type `target_oid` (0: a new column of ddl_type()).
CopyTextCodec scalar_codec(const Type& incoming, uint32_t target_oid, Type& wire) {
  if (incoming.id == DUCKDB_TYPE_BLOB && (target_oid == 0 || target_oid == kByteaOid)) {
    wire = Type(DUCKDB_TYPE_BLOB);
    return CopyTextCodec::kBytea;
  }
  if (is_date_like(incoming) && (target_oid == 0 || is_date_like_oid(target_oid))) {
    wire = Type(DUCKDB_TYPE_VARCHAR);
    return CopyTextCodec::kDateLike;
  }
  bool json_target = target_oid == kJsonOid || target_oid == kJsonbOid ||
                     (target_oid == 0 && ddl_type(incoming) == "json");
  // The JSON cast renders a STRUCT or LIST as JSON, where VARCHAR would not.
  wire = json_target ? Type::json() : Type(DUCKDB_TYPE_VARCHAR);
  return CopyTextCodec::kText;
}

std::string_view string_at(void* data, idx_t row) {
  auto* value = &static_cast<duckdb_string_t*>(data)[row];
  return {duckdb_string_t_data(value), duckdb_string_t_length(*value)};
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

TextWritePlan plan_text_write(const Type& incoming, const PgType* target) {
  TextWritePlan plan;
  bool array_target = target ? target->element_oid != 0 : ddl_type(incoming).ends_with("[]");
  if (array_target && incoming.id == DUCKDB_TYPE_LIST) {
    Type element_wire;
    plan.element_codec =
        scalar_codec(incoming.children.at(0), target ? target->element_oid : 0, element_wire);
    plan.wire = Type::list(element_wire);
    plan.codec = CopyTextCodec::kArray;
    return plan;
  }
  plan.codec = scalar_codec(incoming, target ? target->base_oid : 0, plan.wire);
  return plan;
}

PgTextEncoder::PgTextEncoder(std::vector<TextWritePlan> plans) : plans_(std::move(plans)) {}

namespace {

// Appends `text` with COPY's text-format escapes: backslash, newline,
// carriage return and tab (the delimiter) become two-character escapes.
void append_escaped(std::string_view text, std::string& out) {
  size_t clean = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    const char* escape = nullptr;
    switch (c) {
      case '\\':
        escape = "\\\\";
        break;
      case '\n':
        escape = "\\n";
        break;
      case '\r':
        escape = "\\r";
        break;
      case '\t':
        escape = "\\t";
        break;
      default:
        continue;
    }
    out.append(text.substr(clean, i - clean));
    out.append(escape, 2);
    clean = i + 1;
  }
  out.append(text.substr(clean));
}

}  // namespace

void PgTextEncoder::append_value(CopyTextCodec codec, void* data, idx_t row, std::string& out) {
  std::string_view text = string_at(data, row);
  switch (codec) {
    case CopyTextCodec::kText:
      out.append(text);
      return;
    case CopyTextCodec::kDateLike: {
      size_t bc = text.find(" (BC)");
      if (bc == std::string_view::npos) {
        out.append(text);
        return;
      }
      out.append(text.substr(0, bc));
      out.append(text.substr(bc + 5));
      out.append(" BC");
      return;
    }
    case CopyTextCodec::kBytea:
      out += "\\x";
      for (unsigned char c : text) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return;
    case CopyTextCodec::kArray:
      break;
  }
  throw InternalError("array codec for a scalar");
}

void PgTextEncoder::encode(duckdb_data_chunk chunk, std::string& out) {
  const idx_t rows = duckdb_data_chunk_get_size(chunk);
  const size_t column_count = plans_.size();
  const ChunkColumns view(chunk, column_count);
  for (idx_t row = 0; row < rows; ++row) {
    for (size_t c = 0; c < column_count; ++c) {
      if (c) out += '\t';
      if (view.is_null(c, row)) {
        out += "\\N";
        continue;
      }
      const TextWritePlan& plan = plans_[c];
      if (plan.codec != CopyTextCodec::kArray) {
        scratch_.clear();
        append_value(plan.codec, view.data(c), row, scratch_);
        append_escaped(scratch_, out);
        continue;
      }
      // An array literal with every element quoted, then escaped for COPY.
      auto entry = static_cast<duckdb_list_entry*>(view.data(c))[row];
      duckdb_vector child = duckdb_list_vector_get_child(view.vector(c));
      void* child_data = duckdb_vector_get_data(child);
      uint64_t* child_validity = duckdb_vector_get_validity(child);
      scratch_.clear();
      scratch_ += '{';
      for (idx_t i = 0; i < entry.length; ++i) {
        idx_t slot = entry.offset + i;
        if (i) scratch_ += ',';
        if (child_validity && !duckdb_validity_row_is_valid(child_validity, slot)) {
          scratch_ += "NULL";
          continue;
        }
        element_.clear();
        append_value(plan.element_codec, child_data, slot, element_);
        scratch_ += '"';
        for (char ch : element_) {
          if (ch == '"' || ch == '\\') scratch_ += '\\';
          scratch_ += ch;
        }
        scratch_ += '"';
      }
      scratch_ += '}';
      append_escaped(scratch_, out);
    }
    out += '\n';
  }
}

std::string finishing_script(const LoadSteps& steps, uint64_t rows) {
  // psql sets ROW_COUNT from each statement's command tag, so each count is
  // read right after its statement.
  std::string script =
      fmt::format("\\.\nSELECT (:ROW_COUNT = {}) AS dvt_rows_ok \\gset\n\\if :dvt_rows_ok\n", rows);
  for (size_t i = 0; i < steps.checks.size(); ++i) {
    // ON_ERROR_STOP ends psql at the exception; its session rolls back.
    script += fmt::format(
        "DO $dvt_check$ DECLARE r record; BEGIN FOR r IN {} LOOP RAISE EXCEPTION "
        "'dvt-check-{}: %', row_to_json(r)::text; END LOOP; END $dvt_check$;\n",
        steps.checks[i].sql, i);
  }
  std::vector<std::string> inserted, updated;
  for (size_t i = 0; i < steps.apply.size(); ++i) {
    const Statement& statement = steps.apply[i];
    script += statement.sql + ";\n";
    const char* kind = nullptr;
    switch (statement.counts) {
      case Statement::Counts::kInserted:
        kind = "inserted";
        inserted.push_back(fmt::format(":dvt_count_{}", i));
        break;
      case Statement::Counts::kUpdated:
        kind = "updated";
        updated.push_back(fmt::format(":dvt_count_{}", i));
        break;
      case Statement::Counts::kDeleted:
        kind = "deleted";
        break;
      case Statement::Counts::kNone:
        break;
    }
    if (kind) {
      script += fmt::format("\\set dvt_count_{} :ROW_COUNT\n\\echo dvt-count {} :dvt_count_{}\n", i,
                            kind, i);
    }
  }
  std::vector<std::string> moved = inserted;
  if (steps.count_rule == CountRule::kInsertedPlusUpdated)
    moved.insert(moved.end(), updated.begin(), updated.end());
  bool counted = steps.count_rule != CountRule::kNone && !moved.empty();
  if (counted) {
    script += fmt::format("SELECT ({} = {}) AS dvt_counts_ok \\gset\n\\if :dvt_counts_ok\n",
                          fmt::join(moved, " + "), rows);
  }
  for (const auto& statement : steps.publish) script += statement.sql + ";\n";
  if (counted) script += "\\else\nROLLBACK;\n\\echo dvt-counts-differ\n\\endif\n";
  script += "\\else\nROLLBACK;\n\\endif\n";
  for (const auto& statement : steps.cleanup) script += statement.sql + ";\n";
  return script;
}

PgPipeWriter::PgPipeWriter(PgConnection& catalog, const ChildOptions& child,
                           const LoadRequest& request, const std::string& schema,
                           const TableSchema& incoming, std::string label)
    : label_(std::move(label)) {
  std::optional<PgTable> existing = find_table(catalog, schema, request.table.name);
  if (existing) check_loadable(*existing, label_);
  TargetTable target = target_table(existing, schema, request.table.name,
                                    existing || schema_exists(catalog, schema), label_);
  check_incoming_columns(request, target, incoming, dialect());
  steps_ = TransactionalLoadPlan(dialect()).plan(request, target, incoming);
  bool recreated = !existing || request.full_refresh;
  std::string columns;
  for (size_t i = 0; i < incoming.columns.size(); ++i) {
    const PgType* type = nullptr;
    if (!recreated)
      type = &existing->columns[static_cast<size_t>(existing->find(incoming.columns[i].name))].type;
    plans_.push_back(plan_text_write(incoming.columns[i].type, type));
    columns += (i ? ", " : "") + quote_identifier(incoming.columns[i].name);
  }
  encoder_ = std::make_unique<PgTextEncoder>(plans_);

  // The same session settings as the native tier, so text reads the same.
  std::string script =
      "SET TimeZone = 'UTC';\nSET DateStyle = 'ISO, MDY';\nSET IntervalStyle = 'postgres';\n";
  for (const auto& statement : steps_.before) script += statement.sql + ";\n";
  script += fmt::format("COPY {} ({}) FROM STDIN (FORMAT text);\n", steps_.rows_into, columns);
  ChildOptions options = child;
  options.pipe_stdin = true;   // the script and the rows
  options.pipe_stdout = true;  // command tags: "COPY n", "COMMIT"
  child_ = std::make_unique<ChildProcess>(options);
  buffer_ = std::move(script);
}

PgPipeWriter::~PgPipeWriter() {
  abort();
}

std::vector<Type> PgPipeWriter::wire_types() const {
  std::vector<Type> types;
  for (const auto& plan : plans_) types.push_back(plan.wire);
  return types;
}

void PgPipeWriter::flush() {
  child_->write_all(buffer_.data(), buffer_.size());
  bytes_ += buffer_.size();
  buffer_.clear();
}

void PgPipeWriter::write(duckdb_data_chunk chunk) {
  check_interrupted();
  if (!child_) throw InternalError("write after abort");
  encoder_->encode(chunk, buffer_);
  rows_sent_ += duckdb_data_chunk_get_size(chunk);
  if (buffer_.size() >= kFlushSize) flush();
}

TableChanges PgPipeWriter::commit() {
  check_interrupted();
  if (!child_) throw InternalError("commit after abort");
  buffer_ += finishing_script(steps_, rows_sent_);
  flush();
  child_->close_stdin();
  std::string output;
  char chunk[4096];
  while (size_t got = child_->read(chunk, sizeof(chunk))) output.append(chunk, got);
  if (child_->wait() != 0) {
    // A check's DO block raised "dvt-check-<i>: <the offending row as JSON>".
    std::string errors = child_->stderr_text();
    for (size_t i = 0; i < steps_.checks.size(); ++i) {
      std::string marker = fmt::format("dvt-check-{}: ", i);
      size_t at = errors.find(marker);
      if (at == std::string::npos) continue;
      size_t end = errors.find('\n', at);
      std::string row =
          errors.substr(at + marker.size(),
                        end == std::string::npos ? std::string::npos : end - at - marker.size());
      std::string values;
      nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(row, nullptr, false);
      if (parsed.is_object()) {
        for (const auto& [name, value] : parsed.items()) {
          if (!values.empty()) values += ", ";
          if (value.is_null()) {
            values += "NULL";
          } else {
            values +=
                fmt::format("'{}'", value.is_string() ? value.get<std::string>() : value.dump());
          }
        }
      }
      child_.reset();
      throw DataError(fmt::format("{}: {}: ({}); nothing was changed", label_,
                                  steps_.checks[i].failure, values));
    }
  }
  child_->check_success("loading " + label_ + " through psql");
  std::optional<uint64_t> stored;
  bool committed = false;
  bool counts_differ = false;
  TableChanges changes;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string_view line(output.data() + start, end - start);
    if (line.starts_with("COPY ")) {
      uint64_t rows = 0;
      std::from_chars(line.data() + 5, line.data() + line.size(), rows);
      stored = rows;
    }
    if (line.starts_with("dvt-count ")) {
      std::string_view rest = line.substr(10);
      size_t space = rest.find(' ');
      uint64_t count = 0;
      std::from_chars(rest.data() + space + 1, rest.data() + rest.size(), count);
      std::string_view kind = rest.substr(0, space);
      std::optional<uint64_t>& total = kind == "inserted"  ? changes.inserted
                                       : kind == "updated" ? changes.updated
                                                           : changes.deleted;
      total = total.value_or(0) + count;
    }
    if (line == "dvt-counts-differ") counts_differ = true;
    if (line == "COMMIT") committed = true;
    start = end + 1;
  }
  child_.reset();
  if (!stored) throw DataError(fmt::format("{}: psql did not report the COPY's row count", label_));
  if (*stored != rows_sent_) {
    throw DataError(
        fmt::format("{}: {} rows sent but the server stored {}; the load was rolled back", label_,
                    rows_sent_, *stored));
  }
  if (counts_differ || !committed) {
    throw DataError(fmt::format(
        "{}: {} rows were loaded but the counts of the statements that moved them differ; the "
        "load was rolled back",
        label_, rows_sent_));
  }
  changes.rows = *stored;
  return changes;
}

void PgPipeWriter::abort() noexcept {
  // Ending psql ends its session: PostgreSQL rolls back the open transaction.
  child_.reset();
}

}  // namespace dvt::pg
