// The state layer's pieces: the state file, schema hashes, key texts and the
// predicates that find them, file identities, and the commit of the three
// files of a staging name.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "connectors/clickhouse/ch_dialect.h"
#include "connectors/duckdb/duckdb_dialect.h"
#include "connectors/mysql/mysql_dialect.h"
#include "connectors/postgres/pg_dialect.h"
#include "connectors/sqlite/sqlite_dialect.h"
#include "core/error.h"
#include "engine/engine.h"
#include "state/key_text.h"
#include "state/parquet_identity.h"
#include "state/schema_hash.h"
#include "state/state_file.h"
#include "state/state_store.h"
#include "support/run_dvt.h"

namespace dvt {
namespace {

namespace fs = std::filesystem;

Column column(const std::string& name, duckdb_type type, const std::string& source_type = "") {
  Column c;
  c.name = name;
  c.type = Type(type);
  c.source_type = source_type;
  return c;
}

SourceState sample_state() {
  SourceState state;
  state.name = "orders";
  state.source = {"pg", "postgres", "public.orders", "", {"id", "amount"}, "amount > 0", 10};
  state.schema = {"abc", {{"id", "bigint", false}, {"amount", "numeric(12,2)", true}}, {"id"}};
  state.fingerprint = Fingerprint{"xmin", 42, "-123"};
  state.mode = "delta";
  state.row_key = {"id"};
  state.cursor = CursorRecord{"updated_at", "2024-05-01 10:00:00+00"};
  state.staging = {"orders.parquet", 1000, 42, "f00"};
  state.hashes = FileRecord{"_state/orders.hashes.parquet", 500, 42, "ba4"};
  state.extracted_at = "2026-11-22T10:00:00Z";
  return state;
}

TEST(StateFile, RoundTripsThroughJson) {
  SourceState state = sample_state();
  SourceState read = state_from_json(state_to_json(state), "test");
  EXPECT_EQ(state_to_json(read), state_to_json(state));
  EXPECT_EQ(read.source, state.source);
  EXPECT_EQ(read.fingerprint, state.fingerprint);
  EXPECT_EQ(read.cursor->max, "2024-05-01 10:00:00+00");
  EXPECT_EQ(read.hashes->footer_sha256, "ba4");
}

TEST(StateFile, KeepsItsKeysInTheDocumentedOrder) {
  std::string json = state_to_json(sample_state());
  EXPECT_EQ(json.substr(0, json.find("\"source\"")),
            "{\n  \"format\": 1,\n  \"name\": \"orders\",\n  ");
  EXPECT_LT(json.find("\"fingerprint\""), json.find("\"staging\""));
  EXPECT_LT(json.find("\"staging\""), json.find("\"extracted_at\""));
}

TEST(StateFile, RefusesAnotherFormatOrAnotherDocument) {
  std::string json = state_to_json(sample_state());
  json.replace(json.find("\"format\": 1"), 11, "\"format\": 2");
  EXPECT_THROW(state_from_json(json, "x.state.json"), DataError);
  EXPECT_THROW(state_from_json("[1, 2]", "x.state.json"), DataError);
  EXPECT_THROW(state_from_json("{\"format\": 1}", "x.state.json"), DataError);
}

TableSchema items_schema() {
  TableSchema schema;
  schema.columns = {column("id", DUCKDB_TYPE_INTEGER, "integer"),
                    column("name", DUCKDB_TYPE_VARCHAR, "text")};
  schema.columns[0].nullable = false;
  schema.primary_key = {"id"};
  return schema;
}

TEST(SchemaHash, ChangesWithNamesTypesNullabilityAndKeyOnly) {
  const std::string base = schema_record(items_schema()).hash;
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(schema_record(items_schema()).hash, base);
  TableSchema renamed = items_schema();
  renamed.columns[1].name = "label";
  TableSchema retyped = items_schema();
  retyped.columns[0].source_type = "bigint";
  TableSchema nullable = items_schema();
  nullable.columns[0].nullable = true;
  TableSchema keyless = items_schema();
  keyless.primary_key.clear();
  TableSchema estimated = items_schema();
  estimated.estimated_rows = 5;
  for (const TableSchema* changed : {&renamed, &retyped, &nullable, &keyless})
    EXPECT_NE(schema_record(*changed).hash, base);
  EXPECT_EQ(schema_record(estimated).hash, base);
}

TEST(SchemaHash, SaysWhatChanged) {
  SchemaRecord before = schema_record(items_schema());
  TableSchema after = items_schema();
  after.columns[0].source_type = "bigint";
  after.columns.push_back(column("note", DUCKDB_TYPE_VARCHAR, "text"));
  after.columns.erase(after.columns.begin() + 1);
  EXPECT_EQ(schema_changes(before, schema_record(after)),
            "column id: integer -> bigint; column note added; column name dropped");
  TableSchema reordered;
  reordered.columns = {items_schema().columns[1], items_schema().columns[0]};
  reordered.primary_key = {"id"};
  EXPECT_EQ(schema_changes(before, schema_record(reordered)), "columns reordered");
  EXPECT_EQ(schema_changes(before, before), "");
}

TEST(KeyText, DecodesEachPartByItsByteLength) {
  using Parts = std::vector<std::optional<std::string>>;
  EXPECT_EQ(decode_key_text("plain V1:x", 1), (Parts{"plain V1:x"}));
  EXPECT_EQ(decode_key_text("V6:\u65e5\u672cV2:-5NV0:", 4),
            (Parts{"\u65e5\u672c", "-5", std::nullopt, ""}));
  // A part may hold the encoding's own characters.
  EXPECT_EQ(decode_key_text("V4:V1:NV1:x", 2), (Parts{"V1:N", "x"}));
}

TEST(KeyText, RefusesTextThatIsNotAnEncodingOfTheKey) {
  EXPECT_THROW(decode_key_text("V1:a", 2), DataError);
  EXPECT_THROW(decode_key_text("V9:ab", 1 + 1), DataError);
  EXPECT_THROW(decode_key_text("X1:a", 2), DataError);
  EXPECT_THROW(decode_key_text("V1:aV1:bV1:c", 2), DataError);
}

TEST(KeyPredicate, OneColumnIsAnInListOfLiteralsOfItsType) {
  std::vector<Column> id = {column("id", DUCKDB_TYPE_BIGINT)};
  EXPECT_EQ(key_predicate(pg::dialect(), id, {"1", "-20"}), "\"id\" IN ('1', '-20')");
  EXPECT_EQ(key_predicate(mysql::dialect(), id, {"1", "-20"}), "`id` IN (1, -20)");
  std::vector<Column> code = {column("code", DUCKDB_TYPE_VARCHAR)};
  EXPECT_EQ(key_predicate(mysql::dialect(), code, {"it's", "1"}),
            "`code` IN (_utf8mb4 X'69742773', '1')");
  EXPECT_EQ(key_predicate(pg::dialect(), id, {}), "1 = 0");
}

TEST(KeyPredicate, CompositeKeysMatchColumnByColumn) {
  std::vector<Column> key = {column("region", DUCKDB_TYPE_VARCHAR),
                             column("code", DUCKDB_TYPE_INTEGER)};
  EXPECT_EQ(key_predicate(sqlite::dialect(), key, {"V7:O'BrienV1:2", "V0:V2:-5"}),
            "((\"region\" = 'O''Brien' AND \"code\" = 2) OR (\"region\" = '' AND \"code\" = -5))");
}

TEST(Dialect, ValueFromTextIsALiteralTheSourceReadsAsTheColumnsType) {
  Column blob = column("b", DUCKDB_TYPE_BLOB);
  Column amount = column("a", DUCKDB_TYPE_DECIMAL);
  Column text = column("t", DUCKDB_TYPE_VARCHAR);
  EXPECT_EQ(mysql::dialect().value_from_text(blob, "00ff"), "X'00ff'");
  EXPECT_EQ(sqlite::dialect().value_from_text(blob, "00ff"), "X'00ff'");
  EXPECT_EQ(pg::dialect().value_from_text(blob, "\\x00ff"), "'\\x00ff'");
  EXPECT_EQ(ch::ChDialect().value_from_text(amount, "1.50"), "'1.50'");
  EXPECT_EQ(mysql::dialect().value_from_text(amount, "1.50"), "1.50");
  EXPECT_EQ(duck::dialect().value_from_text(text, "x"), "CAST('x' AS VARCHAR)");
  // What does not read as a number stays a string.
  EXPECT_EQ(mysql::dialect().value_from_text(amount, "1; DROP TABLE t"), "'1; DROP TABLE t'");
  EXPECT_EQ(mysql::dialect().value_from_text(amount, "1e5"), "1e5");
  EXPECT_EQ(mysql::dialect().value_from_text(amount, "1e"), "'1e'");
}

// Writes `rows` rows to a Parquet file.
void write_parquet(const fs::path& path, int rows) {
  Engine engine;
  engine.execute(fmt::format("COPY (SELECT range AS id FROM range({})) TO '{}' (FORMAT parquet)",
                             rows, path.string()));
}

TEST(ParquetIdentity, TellsACutOrRewrittenFileFromTheRecordedOne) {
  test::TempDir dir;
  fs::path file = dir.file("a.parquet");
  write_parquet(file, 100);
  std::optional<FileRecord> record = identify_parquet(file, "a.parquet", 100);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->bytes, fs::file_size(file));
  EXPECT_TRUE(parquet_matches(file, *record));
  write_parquet(file, 101);
  EXPECT_FALSE(parquet_matches(file, *record));
  write_parquet(file, 100);
  EXPECT_TRUE(parquet_matches(file, *record));
  fs::resize_file(file, fs::file_size(file) - 1);
  EXPECT_FALSE(parquet_matches(file, *record));
  EXPECT_FALSE(identify_parquet(dir.file("missing.parquet"), "m", 0).has_value());
  test::write_file(file, "PAR1 not a parquet file PAR1");
  EXPECT_FALSE(identify_parquet(file, "a.parquet", 0).has_value());
}

SourceState committed_state() {
  SourceState state = sample_state();
  state.hashes.reset();
  state.staging.rows = 10;
  return state;
}

TEST(StateStore, CommitsTheStagingFileAndItsState) {
  test::TempDir dir;
  {
    StateStore store(dir.path(), "orders");
    EXPECT_FALSE(store.state().has_value());
    write_parquet(store.next_staging_path(), 10);
    store.commit(committed_state());
  }
  StateStore store(dir.path(), "orders");
  ASSERT_TRUE(store.state().has_value());
  EXPECT_TRUE(store.staging_intact());
  EXPECT_EQ(store.state()->staging.file, "orders.parquet");
  EXPECT_EQ(store.state()->staging.bytes, fs::file_size(dir.file("orders.parquet")));
  EXPECT_FALSE(fs::exists(store.next_staging_path()));
}

TEST(StateStore, FinishesACommitStoppedAfterTheStateWasRenamed) {
  test::TempDir dir;
  {
    StateStore store(dir.path(), "orders");
    write_parquet(store.next_staging_path(), 10);
    store.commit(committed_state());
  }
  // A run that wrote its next file and renamed its state, then died.
  SourceState next = committed_state();
  write_parquet(dir.file("_state/orders.next.parquet"), 20);
  next.staging = *identify_parquet(dir.file("_state/orders.next.parquet"), "orders.parquet", 20);
  test::write_file(dir.file("_state/orders.state.json"), state_to_json(next));
  StateStore store(dir.path(), "orders");
  EXPECT_TRUE(store.staging_intact());
  EXPECT_EQ(store.state()->staging.rows, 20u);
  EXPECT_FALSE(fs::exists(dir.file("_state/orders.next.parquet")));
}

TEST(StateStore, DropsTheNextFilesOfARunThatDidNotCommit) {
  test::TempDir dir;
  {
    StateStore store(dir.path(), "orders");
    write_parquet(store.next_staging_path(), 10);
    store.commit(committed_state());
  }
  const std::string before = test::read_file(dir.file("orders.parquet"));
  write_parquet(dir.file("_state/orders.next.parquet"), 30);
  write_parquet(dir.file("_state/orders.next.hashes.parquet"), 30);
  StateStore store(dir.path(), "orders");
  EXPECT_TRUE(store.staging_intact());
  EXPECT_EQ(test::read_file(dir.file("orders.parquet")), before);
  EXPECT_FALSE(fs::exists(dir.file("_state/orders.next.parquet")));
  EXPECT_FALSE(fs::exists(dir.file("_state/orders.next.hashes.parquet")));
}

TEST(StateStore, ASecondJobOnTheSameNameIsRefusedAndTheLockGoesWithTheFirst) {
  test::TempDir dir;
  {
    StateStore first(dir.path(), "orders");
    try {
      StateStore second(dir.path(), "orders");
      FAIL() << "a second store on the same name opened";
    } catch (const DataError& error) {
      EXPECT_NE(std::string(error.what()).find("another dvt job is extracting 'orders'"),
                std::string::npos)
          << error.what();
    }
    StateStore other(dir.path(), "customers");
  }
  // Nothing left behind by stores that committed nothing.
  EXPECT_FALSE(fs::exists(dir.file("_state")));
  StateStore again(dir.path(), "orders");
}

TEST(StateStore, AnUnreadableStateIsNoStateAndSaysWhy) {
  test::TempDir dir;
  fs::create_directories(dir.file("_state"));
  test::write_file(dir.file("_state/orders.state.json"), "{not json");
  StateStore store(dir.path(), "orders");
  EXPECT_FALSE(store.state().has_value());
  EXPECT_NE(store.problem().find("is not a JSON object"), std::string::npos) << store.problem();
}

}  // namespace
}  // namespace dvt
