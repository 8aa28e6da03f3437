#include "state/extract.h"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "connectors/parquet/parquet_endpoint.h"
#include "connectors/tiers.h"
#include "core/error.h"
#include "core/log.h"
#include "core/output_config.h"
#include "state/key_text.h"
#include "state/schema_hash.h"
#include "state/state_store.h"

namespace dvt {

namespace fs = std::filesystem;

namespace {

// Keys of one statement that fetches changed rows: the IN list stays well
// under ClickHouse's max_query_size (256 KiB) and SQLite's statement limit
// (1,000,000 bytes).
constexpr size_t kKeyPredicateBytes = 200 << 10;
// Changed keys read from the engine at a time.
constexpr uint64_t kKeyPage = 8192;
// The zstd level of the files a state run writes from files it read (the
// new staging file of a delta or an increment, the hashes, work files):
// level 1 (parquet_endpoint.h). A full extraction keeps DuckDB's default.
constexpr int kRewriteLevel = 1;

std::string parquet_of(const fs::path& path) {
  return fmt::format("read_parquet({})", duck_literal(path.string()));
}

std::string parquet_of(const std::vector<fs::path>& paths) {
  std::string list;
  for (const auto& path : paths) list += (list.empty() ? "" : ", ") + duck_literal(path.string());
  return fmt::format("read_parquet([{}])", list);
}

std::string quoted_list(const std::vector<std::string>& names, const std::string& alias = "") {
  std::string list;
  for (const auto& name : names) {
    list += list.empty() ? "" : ", ";
    list += alias.empty() ? duck_quote(name) : alias + "." + duck_quote(name);
  }
  return list;
}

// The typed key of the row `alias`, as the hashes file keeps it (_key).
std::string key_struct(const std::vector<std::string>& key, const std::string& alias) {
  std::string fields;
  for (const auto& name : key) {
    fields += fields.empty() ? "" : ", ";
    fields += fmt::format("{} := {}.{}", duck_quote(name), alias, duck_quote(name));
  }
  return "struct_pack(" + fields + ")";
}

// `keys._key` is the key of the row `row`.
std::string key_matches(const std::vector<std::string>& key, const std::string& keys,
                        const std::string& row) {
  std::string match;
  for (const auto& name : key) {
    match += match.empty() ? "" : " AND ";
    match += fmt::format("struct_extract({}._key, {}) = {}.{}", keys, duck_literal(name), row,
                         duck_quote(name));
  }
  return match;
}

// Logs how long a step of an extraction took (event extract.step, -v).
class Step {
 public:
  explicit Step(std::string name)
      : name_(std::move(name)), started_(std::chrono::steady_clock::now()) {}
  ~Step() {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    log_debug("extract.step", fmt::format("{}: {:.2f} s", name_, seconds),
              {{"step", name_}, {"seconds", seconds}});
  }
  Step(const Step&) = delete;
  Step& operator=(const Step&) = delete;

 private:
  std::string name_;
  std::chrono::steady_clock::time_point started_;
};

uint64_t count_of(Engine& engine, const std::string& sql) {
  auto rows = engine.query_strings(sql);
  return rows.empty() || !rows[0][0] ? 0 : std::stoull(*rows[0][0]);
}

class Extraction {
 public:
  Extraction(Engine& engine, const ExtractJob& job, ProgressObserver* observer)
      : engine_(engine),
        job_(job),
        observer_(observer),
        started_(std::chrono::steady_clock::now()),
        started_at_(utc_now()) {}

  TransferResult run() {
    const TransferEnd& from = job_.from;
    if (from.is_file()) throw ConfigError("extract reads a database table or query, not a file");
    if (job_.scan.query.empty() && from.table.name.empty()) {
      throw ConfigError(fmt::format(
          "source '{}' names no table: use OUTPUT:SCHEMA.TABLE or --query", from.display));
    }
    if (job_.delta && !job_.incremental_key.empty())
      throw ConfigError("--delta and --incremental-key are two ways to extract; choose one");
    from.output->require_rendered();
    plan_tiers(*from.output,
               job_.scan.method);  // an unknown tier is a usage error, before any work
    store_.emplace(job_.staging_dir, job_.name);
    connector_ = make_connector(*from.output, engine_);
    scan_ = job_.scan;
    scan_.table = from.table;
    schema_ = connector_->describe_scan(engine_, scan_);
    schema_record_ = schema_record(schema_);
    request_ = SourceRecord{
        from.output->name(), from.output->type(), scan_.query.empty() ? from.table.display() : "",
        scan_.query,         scan_.columns,       scan_.where,
        scan_.limit};
    result_.command = "extract";
    result_.source = from.display;
    result_.target = store_->staging_path().string();
    std::string reason = why_full();
    if (job_.delta) return delta(reason);
    if (!job_.incremental_key.empty()) return incremental(reason);
    return full(reason);
  }

 private:
  const SourceState* previous() const { return store_->state() ? &*store_->state() : nullptr; }

  // Why the previous extraction cannot serve this one; "" when it can (or
  // there is none: then first() says so).
  std::string why_full() const {
    if (job_.full_refresh) return "--full-refresh";
    const SourceState* before = previous();
    if (!before) {
      return store_->problem().empty() ? "" : "its state cannot be read: " + store_->problem();
    }
    const SourceRecord& was = before->source;
    if (was != request_) {
      std::vector<std::string> changed;
      if (was.output != request_.output || was.type != request_.type)
        changed.emplace_back("the output");
      if (was.table != request_.table) changed.emplace_back("the table");
      if (was.query != request_.query) changed.emplace_back("--query");
      if (was.columns != request_.columns) changed.emplace_back("--columns");
      if (was.where != request_.where) changed.emplace_back("--where");
      if (was.limit != request_.limit) changed.emplace_back("--limit");
      return fmt::format("{} differs from the extraction of {}", fmt::join(changed, ", "),
                         before->extracted_at);
    }
    if (std::string changes = schema_changes(before->schema, schema_record_); !changes.empty())
      return "the schema changed: " + changes;
    if (!store_->staging_intact()) {
      return fs::exists(store_->staging_path())
                 ? fmt::format("{} is not the file extracted on {} (its size or footer differs)",
                               store_->staging_path().string(), before->extracted_at)
                 : fmt::format("{} is missing", store_->staging_path().string());
    }
    return "";
  }

  bool first() const { return !previous() && store_->problem().empty(); }

  SourceState next_state(const std::string& mode) const {
    SourceState state;
    state.name = job_.name;
    state.source = request_;
    state.schema = schema_record_;
    state.mode = mode;
    state.extracted_at = started_at_;
    return state;
  }

  TransferResult finish(TransferResult result, const std::string& reason) {
    result.command = "extract";
    result.source = job_.from.display;
    result.target = store_->staging_path().string();
    if (!reason.empty() && !first()) result.note = "extracted in full: " + reason;
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    std::error_code ignored;
    result.bytes = fs::file_size(store_->staging_path(), ignored);
    if (ignored) result.bytes = 0;
    return result;
  }

  TransferResult skipped(const std::string& why) {
    TransferResult result = result_;
    result.status = "skipped";
    result.note = fmt::format("unchanged since {}{}", previous()->extracted_at, why);
    result.rows = 0;
    result.source_method = "state";
    result.target_method = "state";
    log_event("extract.skipped", fmt::format("{}: {}", result.source, result.note),
              {{"source", result.source}, {"since", previous()->extracted_at}});
    return finish(std::move(result), "");
  }

  // --- full -----------------------------------------------------------------

  TransferResult full(std::string reason) {
    std::optional<Fingerprint> fingerprint;
    if (!scan_.limit) fingerprint = connector_->fingerprint(engine_, scan_);
    if (reason.empty() && previous()) {
      if (scan_.limit) {
        reason = "a scan with --limit is always extracted (which rows it reads is not fixed)";
      } else if (previous()->fingerprint != fingerprint) {
        reason = changed_since(*fingerprint);
      } else {
        return skipped("");
      }
    }
    Transfer transfer;
    transfer.command = "extract";
    transfer.from = job_.from;
    transfer.scan = scan_;
    transfer.to.file = store_->next_staging_path();
    transfer.to.display = store_->staging_path().string();
    TransferResult result = run_transfer(engine_, transfer, observer_);
    kill_point("extracted");
    SourceState state = next_state("full");
    state.fingerprint = fingerprint;
    state.staging.rows = result.rows;
    store_->commit(std::move(state));
    return finish(std::move(result), reason);
  }

  std::string changed_since(const Fingerprint& now) const {
    const SourceState& before = *previous();
    if (!before.fingerprint)
      return fmt::format("no fingerprint of {} to compare", before.extracted_at);
    if (before.fingerprint->method != now.method) {
      return fmt::format("the fingerprint of {} was computed by {}, this one by {}",
                         before.extracted_at, before.fingerprint->method, now.method);
    }
    if (before.fingerprint->rows != now.rows)
      return fmt::format("the source changed since {} ({} rows, now {})", before.extracted_at,
                         before.fingerprint->rows, now.rows);
    return fmt::format("the source changed since {}", before.extracted_at);
  }

  // --- rows with annotations into the work folder ----------------------------

  // Reads the rows of `scan` with `annotations` into a Parquet file of the
  // work folder; returns the transfer's counts.
  TransferResult read_annotated(const ScanRequest& scan, const RowAnnotations& annotations,
                                const fs::path& file) {
    TransferResult result = result_;
    Progress progress(fmt::format("{} -> {}", job_.from.display, result_.target));
    Source source = connector_->open_annotated_source(engine_, scan, annotations, &progress);
    ParquetSink sink(file, RowOrder::kAny, kRewriteLevel);
    move_rows(engine_, "extract", source, sink, progress, observer_, result);
    return result;
  }

  uint64_t write_staging(const std::string& select_sql) {
    ParquetSink sink(store_->next_staging_path(), RowOrder::kAny, kRewriteLevel);
    return sink.consume(engine_, select_sql, schema_, nullptr).rows;
  }

  uint64_t write_hashes(const std::string& select_sql) {
    ParquetSink sink(store_->next_hashes_path(), RowOrder::kAny, kRewriteLevel);
    TableSchema hashes = row_hash_schema("", std::nullopt);
    return sink.consume(engine_, select_sql, hashes, nullptr).rows;
  }

  std::string columns() const { return quoted_list(schema_.names()); }

  // The first key that `file` (with a `column` of key texts) holds twice.
  void refuse_repeated_keys(const std::string& relation, const std::string& column) {
    auto repeated = engine_.query_strings(
        fmt::format("SELECT {0}, count(*) FROM {1} GROUP BY {0} HAVING count(*) > 1 LIMIT 1",
                    duck_quote(column), relation));
    if (!repeated.empty()) {
      throw DataError(fmt::format(
          "{}: key {} is held by {} rows, and --delta needs each key once (ClickHouse does not "
          "make a table's key unique; deduplicate it, e.g. with a ReplacingMergeTree and FINAL)",
          job_.from.display, repeated[0][0].value_or("NULL"), repeated[0][1].value_or("")));
    }
  }

  // --- delta ----------------------------------------------------------------
  //
  // The hashes file keeps, for every row of the staging file, its key text
  // (_pk), its typed key (_key), the bucket of its key (_bucket) and its
  // version (_version, Connector::row_version_sql), all computed by the
  // statement that read the row. A delta run asks the source for one sum
  // of versions per bucket, then for the (key, version) pairs of the
  // buckets whose sum changed, then for the rows whose version changed:
  // only those cross the network, and the engine compares each step with
  // the stored rows.

  // Buckets for a table of about `rows` rows: some 32 rows each, so the
  // sums and the pairs of the changed buckets take about the same bytes
  // when 0.1% of the rows changed (bench/README.md).
  static uint64_t bucket_count(std::optional<uint64_t> rows) {
    uint64_t buckets = 1;
    while (buckets < (uint64_t{1} << 20) && buckets * 2 * 32 <= rows.value_or(32768)) buckets *= 2;
    return buckets;
  }

  TransferResult delta(std::string reason) {
    if (!scan_.query.empty())
      throw ConfigError("--delta reads a table (its rows are matched by its key), not a query");
    if (scan_.limit) throw ConfigError("--delta and --limit cannot go together");
    std::vector<std::string> key = connector_->row_key(scan_.table);
    for (const auto& name : key) {
      if (schema_.find(name) < 0) {
        throw ConfigError(
            fmt::format("--delta matches rows by the key ({}): --columns must read {}",
                        fmt::join(key, ", "), name));
      }
    }
    const SourceState* before = previous();
    if (reason.empty() && before) {
      if (before->mode != "delta" || !before->hashes || before->buckets == 0) {
        reason =
            fmt::format("no row hashes were kept by the extraction of {}", before->extracted_at);
      } else if (before->row_key != key) {
        reason = fmt::format("the key is now ({}), the hashes are by ({})", fmt::join(key, ", "),
                             fmt::join(before->row_key, ", "));
      } else if (!store_->hashes_intact()) {
        reason = fmt::format("{} is not the file written on {}", store_->hashes_path().string(),
                             before->extracted_at);
      } else if (before->hashes->rows > before->buckets * 1024) {
        reason = fmt::format("the table outgrew the {} buckets of its hashes", before->buckets);
      }
    }
    if (!reason.empty() || !before) return delta_baseline(key, reason);
    return delta_changes(key);
  }

  // The hashes file's columns from a file of annotated rows aliased `r`.
  std::string hashes_columns(const std::vector<std::string>& key) const {
    return fmt::format(
        "r._dvt_pk AS _pk, {} AS _key, CAST(r._dvt_bucket AS BIGINT) AS "
        "_bucket, CAST(r._dvt_version AS BIGINT) AS _version",
        key_struct(key, "r"));
  }

  // Every row, with its key text, hash, bucket and version from the same
  // statement: the staging file and its hashes describe the same rows.
  TransferResult delta_baseline(const std::vector<std::string>& key, const std::string& reason) {
    const uint64_t buckets = bucket_count(schema_.estimated_rows);
    fs::path rows = store_->work_dir() / "rows.parquet";
    TransferResult result = read_annotated(scan_, {key, "", buckets}, rows);
    if (!connector_->enforces_unique_keys()) refuse_repeated_keys(parquet_of(rows), "_dvt_pk");
    kill_point("rows-read");
    SourceState state = next_state("delta");
    state.row_key = key;
    state.buckets = buckets;
    state.staging.rows =
        write_staging(fmt::format("SELECT {} FROM {}", columns(), parquet_of(rows)));
    FileRecord hashes;
    hashes.rows =
        write_hashes(fmt::format("SELECT {} FROM {} r", hashes_columns(key), parquet_of(rows)));
    state.hashes = hashes;
    kill_point("files-written");
    store_->commit(std::move(state));
    return finish(std::move(result), reason);
  }

  // `sql` (in the source's dialect) into a Parquet file of the work folder;
  // returns the bytes the source sent.
  uint64_t read_query(const std::string& sql, const fs::path& file, const std::string& label) {
    ScanRequest query;
    query.query = sql;
    query.method = scan_.method;
    Progress progress(fmt::format("{} ({}) -> {}", job_.from.display, label, file.string()));
    Source source = connector_->open_source(engine_, query, &progress);
    ObservedJob observed(observer_, progress);
    ParquetSink(file, RowOrder::kAny, kRewriteLevel)
        .consume(engine_, "SELECT * FROM " + source.relation, source.schema, nullptr);
    if (!source.method.empty()) method_ = source.method;
    return source.reader ? source.reader->bytes_read() : 0;
  }

  // "(user predicate) AND `extra`".
  std::string and_where(const std::string& extra) const {
    return scan_.where.empty() ? extra : "(" + scan_.where + ") AND " + extra;
  }

  TransferResult delta_changes(const std::vector<std::string>& key) {
    const SourceState& before = *previous();
    const fs::path& work = store_->work_dir();
    const Dialect& dialect = connector_->dialect();
    const std::string stored = parquet_of(store_->hashes_path());
    const uint64_t buckets = before.buckets;
    std::vector<Column> key_columns;
    for (const auto& name : key)
      key_columns.push_back(schema_.columns[static_cast<size_t>(schema_.find(name))]);
    const std::string bucket = dialect.text_bucket(dialect.key_text(key_columns), buckets);
    const std::string version = connector_->row_version_sql(engine_, scan_, schema_);
    const std::string table = connector_->read_name(scan_.table);
    TransferResult result = result_;
    uint64_t source_bytes = 0;

    // 1. One sum of versions per bucket, against the stored ones.
    std::optional<Step> step(std::in_place, "sums of versions by bucket");
    const fs::path sums = work / "buckets.parquet";
    std::string from = table + (scan_.where.empty() ? "" : " WHERE " + scan_.where);
    // By a name no column has: PostgreSQL would group by a column `b` first.
    source_bytes += read_query(fmt::format("SELECT {} AS dvt_bucket, sum({}) AS dvt_sum FROM {} "
                                           "GROUP BY dvt_bucket",
                                           bucket, version, from),
                               sums, "sums of buckets");
    const fs::path changed = work / "changed.parquet";
    TableSchema no_schema;
    ParquetSink(changed, RowOrder::kAny, kRewriteLevel)
        .consume(engine_,
                 fmt::format("SELECT coalesce(f.b, s.b) AS b FROM (SELECT CAST(dvt_bucket AS "
                             "BIGINT) AS b, CAST(dvt_sum AS VARCHAR) AS s FROM {}) f FULL JOIN "
                             "(SELECT _bucket AS b, "
                             "CAST(sum(_version) AS VARCHAR) AS s FROM {} GROUP BY 1) s ON f.b = "
                             "s.b WHERE f.s IS DISTINCT FROM s.s",
                             parquet_of(sums), stored),
                 no_schema, nullptr);
    const uint64_t changed_buckets =
        count_of(engine_, "SELECT count(*) FROM " + parquet_of(changed));
    kill_point("compared");
    if (changed_buckets == 0) return skipped("");

    // 2. The (key, version) pairs of those buckets, against the stored ones.
    step.emplace(fmt::format("keys of {} changed buckets", changed_buckets));
    std::vector<fs::path> fresh;
    auto read_pairs = [&](const std::string& predicate) {
      fs::path file = work / fmt::format("pairs-{:04}.parquet", fresh.size());
      source_bytes += read_query(
          fmt::format("SELECT {} AS _pk, {} AS _version FROM {}{}", dialect.key_text(key_columns),
                      version, table, predicate.empty() ? "" : " WHERE " + predicate),
          file, "keys of changed buckets");
      fresh.push_back(file);
    };
    if (changed_buckets > buckets / 4) {
      read_pairs(scan_.where);
    } else {
      std::string list;
      for (const auto& row : engine_.query_strings("SELECT b FROM " + parquet_of(changed))) {
        list += (list.empty() ? "" : ", ") + row[0].value_or("0");
        if (list.size() >= kKeyPredicateBytes) {
          read_pairs(and_where(fmt::format("{} IN ({})", bucket, list)));
          list.clear();
        }
      }
      if (!list.empty()) read_pairs(and_where(fmt::format("{} IN ({})", bucket, list)));
    }
    if (!connector_->enforces_unique_keys()) refuse_repeated_keys(parquet_of(fresh), "_pk");
    const fs::path changes = work / "changes.parquet";
    ParquetSink(changes, RowOrder::kAny, kRewriteLevel)
        .consume(engine_,
                 fmt::format("SELECT coalesce(f._pk, s._pk) AS _pk, CASE WHEN s._pk IS NULL THEN "
                             "'insert' WHEN f._pk IS NULL THEN 'delete' ELSE 'update' END AS "
                             "change, s._key AS _key FROM {} f FULL JOIN "
                             "(SELECT * FROM {} WHERE _bucket IN (SELECT b FROM {})) s ON f._pk = "
                             "s._pk WHERE s._pk IS NULL OR f._pk IS NULL OR CAST(f._version AS "
                             "BIGINT) <> s._version",
                             parquet_of(fresh), stored, parquet_of(changed)),
                 no_schema, nullptr);
    const std::string change_rows = parquet_of(changes);

    // 3. The rows whose version changed.
    step.emplace("rows whose version changed");
    std::vector<fs::path> fetched = fetch_changed(key, buckets, change_rows, source_bytes);
    kill_point("fetched");
    const std::string fetched_rows = fetched.empty() ? "" : parquet_of(fetched);

    // The old rows minus the changed and deleted ones, plus the fetched rows.
    step.emplace("new staging file");
    std::string removed = fmt::format("SELECT _key FROM {} WHERE change <> 'insert'", change_rows);
    if (!fetched.empty())
      removed +=
          fmt::format(" UNION ALL SELECT {} AS _key FROM {} f", key_struct(key, "f"), fetched_rows);
    std::string staging =
        fmt::format("SELECT {} FROM {} s ANTI JOIN ({}) c ON {}", columns(),
                    parquet_of(store_->staging_path()), removed, key_matches(key, "c", "s"));
    if (!fetched.empty())
      staging += fmt::format(" UNION ALL BY NAME SELECT {} FROM {}", columns(), fetched_rows);
    SourceState state = next_state("delta");
    state.row_key = key;
    state.buckets = buckets;
    state.staging.rows = write_staging(staging);
    kill_point("staging-written");
    step.emplace("new hashes file");
    std::string hashes =
        fmt::format("SELECT _pk, _key, _bucket, _version FROM {} h ANTI JOIN {} c ON h._pk = c._pk",
                    stored, change_rows);
    if (!fetched.empty())
      hashes += fmt::format(" UNION ALL SELECT {} FROM {} r", hashes_columns(key), fetched_rows);
    FileRecord hashes_file;
    hashes_file.rows = write_hashes(hashes);
    state.hashes = hashes_file;
    kill_point("hashes-written");
    step.emplace("counts and commit");

    auto count_changes = [&](const std::string& condition) {
      return count_of(engine_,
                      fmt::format("SELECT count(*) FROM {} c WHERE {}", change_rows, condition));
    };
    auto fetched_as = [&](const std::string& condition) -> uint64_t {
      if (fetched.empty()) return 0;
      return count_of(engine_, fmt::format("SELECT count(*) FROM {} f JOIN {} c ON c._pk = "
                                           "f._dvt_pk WHERE {}",
                                           fetched_rows, change_rows, condition));
    };
    result.inserted = fetched_as("c.change = 'insert'");
    result.updated = updated_rows(key, fetched_rows, change_rows);
    // Rows gone between the reading of their version and of their values count as deleted.
    result.deleted =
        count_changes("c.change = 'delete'") +
        (fetched.empty() ? count_changes("c.change = 'update'")
                         : count_changes(fmt::format("c.change = 'update' AND c._pk NOT IN (SELECT "
                                                     "_dvt_pk FROM {})",
                                                     fetched_rows)));
    result.rows = *result.inserted + *result.updated;
    result.source_bytes = source_bytes;
    result.source_method = method_;
    result.target_method = "native";
    store_->commit(std::move(state));
    if (result.rows == 0 && *result.deleted == 0) {
      // Rows rewritten as they were: their new versions are kept, nothing moved.
      return skipped(" (its changed rows hold the same values)");
    }
    return finish(std::move(result), "");
  }

  // Fetched rows whose key was in the staging file with other values (a
  // version also changes when a row is rewritten as it was).
  uint64_t updated_rows(const std::vector<std::string>& key, const std::string& fetched_rows,
                        const std::string& change_rows) {
    if (fetched_rows.empty()) return 0;
    std::string match, differs;
    for (const auto& name : key)
      match += fmt::format("{0}f.{1} = s.{1}", match.empty() ? "" : " AND ", duck_quote(name));
    for (const auto& name : schema_.names())
      differs += fmt::format("{0}f.{1} IS DISTINCT FROM s.{1}", differs.empty() ? "" : " OR ",
                             duck_quote(name));
    return count_of(engine_, fmt::format("SELECT count(*) FROM (SELECT * FROM {} WHERE _dvt_pk IN "
                                         "(SELECT _pk FROM {} WHERE change = 'update')) f JOIN {} "
                                         "s ON {} WHERE {}",
                                         fetched_rows, change_rows,
                                         parquet_of(store_->staging_path()), match, differs));
  }

  // Reads the new and changed rows from the source, their keys in batches
  // (key_predicate), into Parquet files of the work folder.
  std::vector<fs::path> fetch_changed(const std::vector<std::string>& key, uint64_t buckets,
                                      const std::string& change_rows, uint64_t& source_bytes) {
    const fs::path& work = store_->work_dir();
    const fs::path pages = work / "fetch.parquet";
    TableSchema pages_schema;
    ParquetSink(pages, RowOrder::kAsRead, kRewriteLevel)
        .consume(engine_,
                 fmt::format("SELECT _pk, (row_number() OVER () - 1) // {} AS _page FROM {} WHERE "
                             "change <> 'delete'",
                             kKeyPage, change_rows),
                 pages_schema, nullptr);
    const uint64_t wanted = count_of(engine_, "SELECT count(*) FROM " + parquet_of(pages));
    std::vector<Column> key_columns;
    for (const auto& name : key)
      key_columns.push_back(schema_.columns[static_cast<size_t>(schema_.find(name))]);
    const Dialect& dialect = connector_->dialect();
    std::vector<fs::path> files;
    std::vector<std::string> batch;
    size_t batch_bytes = 0;
    auto flush = [&] {
      if (batch.empty()) return;
      ScanRequest scan = scan_;
      scan.where = and_where(key_predicate(dialect, key_columns, batch));
      fs::path file = work / fmt::format("fetched-{:06}.parquet", files.size());
      TransferResult part = read_annotated(scan, {key, "", buckets}, file);
      source_bytes += part.source_bytes;
      files.push_back(file);
      batch.clear();
      batch_bytes = 0;
    };
    for (uint64_t page = 0; page * kKeyPage < wanted; ++page) {
      for (const auto& row : engine_.query_strings(
               fmt::format("SELECT _pk FROM {} WHERE _page = {}", parquet_of(pages), page))) {
        batch_bytes += row[0].value_or("").size() + 8;
        batch.push_back(row[0].value_or(""));
        if (batch_bytes >= kKeyPredicateBytes) flush();
      }
    }
    flush();
    return files;
  }

  // --- incremental -------------------------------------------------------------

  TransferResult incremental(std::string reason) {
    const std::string& column = job_.incremental_key;
    int index = schema_.find(column);
    if (index < 0) {
      throw ConfigError(
          fmt::format("--incremental-key {}: {} reads no such column", column, job_.from.display));
    }
    const Column cursor = schema_.columns[static_cast<size_t>(index)];
    const std::vector<std::string> key = schema_.primary_key;
    const SourceState* before = previous();
    if (reason.empty() && before) {
      if (before->mode != "incremental" || !before->cursor || before->cursor->column != column) {
        reason =
            fmt::format("the extraction of {} kept no cursor on {}", before->extracted_at, column);
      } else if (before->row_key != key) {
        reason = "the key changed";
      } else if (!before->cursor->max) {
        reason = fmt::format("no row had a value of {} yet", column);
      }
    }
    if (!reason.empty() || !before) return incremental_full(cursor, key, reason);
    return incremental_since(cursor, key, *before->cursor->max);
  }

  std::optional<std::string> largest(const std::string& relation, const std::string& column) {
    auto rows = engine_.query_strings(
        fmt::format("SELECT arg_max(_dvt_cursor, {0}) FROM {1} WHERE {0} IS NOT NULL",
                    duck_quote(column), relation));
    return rows.empty() ? std::nullopt : rows[0][0];
  }

  TransferResult incremental_full(const Column& cursor, const std::vector<std::string>& key,
                                  const std::string& reason) {
    fs::path rows = store_->work_dir() / "rows.parquet";
    TransferResult result = read_annotated(scan_, {{}, cursor.name}, rows);
    SourceState state = next_state("incremental");
    state.row_key = key;
    state.cursor = CursorRecord{cursor.name, largest(parquet_of(rows), cursor.name)};
    state.staging.rows =
        write_staging(fmt::format("SELECT {} FROM {}", columns(), parquet_of(rows)));
    kill_point("files-written");
    store_->commit(std::move(state));
    return finish(std::move(result), reason);
  }

  TransferResult incremental_since(const Column& cursor, const std::vector<std::string>& key,
                                   const std::string& max) {
    const fs::path& work = store_->work_dir();
    const Dialect& dialect = connector_->dialect();
    ScanRequest scan = scan_;
    std::string since =
        fmt::format("{} >= {}", dialect.quote(cursor.name), dialect.value_from_text(cursor, max));
    scan.where = scan_.where.empty() ? since : "(" + scan_.where + ") AND " + since;
    fs::path fetched = work / "fetched.parquet";
    TransferResult result = read_annotated(scan, {{}, cursor.name}, fetched);
    const std::string fetched_rows = parquet_of(fetched);
    const std::string old_rows = parquet_of(store_->staging_path());
    // Rows past the last extraction's largest value, and those at it that it
    // did not have (committed later, or changed since).
    const std::string at =
        fmt::format("(SELECT max({}) FROM {})", duck_quote(cursor.name), old_rows);
    const std::string name = duck_quote(cursor.name);
    fs::path fresh = work / "fresh.parquet";
    TableSchema fresh_schema = schema_;
    uint64_t fresh_count =
        ParquetSink(fresh, RowOrder::kAny, kRewriteLevel)
            .consume(
                engine_,
                fmt::format("SELECT {0} FROM {1} WHERE {2} > {3} UNION ALL ((SELECT {0} FROM {1} "
                            "WHERE {2} = {3}) EXCEPT ALL (SELECT {0} FROM {4} WHERE {2} = {3}))",
                            columns(), fetched_rows, name, at, old_rows),
                fresh_schema, nullptr)
            .rows;
    if (fresh_count == 0) {
      return skipped(fmt::format(" (no new row with {} >= {})", cursor.name, max));
    }
    const std::string fresh_rows = parquet_of(fresh);
    std::string staging;
    if (key.empty()) {
      result.inserted = fresh_count;
      staging = fmt::format("SELECT {0} FROM {1} UNION ALL BY NAME SELECT {0} FROM {2}", columns(),
                            old_rows, fresh_rows);
    } else {
      std::string match;
      for (const auto& part : key)
        match += (match.empty() ? "" : " AND ") + fmt::format("n.{0} = s.{0}", duck_quote(part));
      result.updated =
          count_of(engine_, fmt::format("SELECT count(*) FROM {} n SEMI JOIN {} s ON {}",
                                        fresh_rows, old_rows, match));
      result.inserted = fresh_count - *result.updated;
      staging = fmt::format(
          "SELECT {0} FROM {1} s ANTI JOIN {2} n ON {3} UNION ALL BY NAME SELECT {0} FROM {2}",
          columns(), old_rows, fresh_rows, match);
    }
    SourceState state = next_state("incremental");
    state.row_key = key;
    state.cursor = CursorRecord{cursor.name, largest(fetched_rows, cursor.name)};
    if (!state.cursor->max) state.cursor->max = max;
    state.staging.rows = write_staging(staging);
    kill_point("staging-written");
    result.rows = fresh_count;
    store_->commit(std::move(state));
    return finish(std::move(result), "");
  }

  Engine& engine_;
  const ExtractJob& job_;
  ProgressObserver* observer_;
  std::chrono::steady_clock::time_point started_;
  std::string started_at_;
  std::optional<StateStore> store_;
  std::unique_ptr<Connector> connector_;
  ScanRequest scan_;
  TableSchema schema_;
  SchemaRecord schema_record_;
  SourceRecord request_;
  TransferResult result_;
  std::string method_;  // the tier the last source read went through
};

}  // namespace

TransferResult run_extract(Engine& engine, const ExtractJob& job, ProgressObserver* observer) {
  return Extraction(engine, job, observer).run();
}

TransferResult run_extract(const JobOptions& options, const ExtractJob& job,
                           ProgressObserver* observer) {
  JobEngine engine(options);
  return run_extract(engine.engine, job, observer);
}

}  // namespace dvt
