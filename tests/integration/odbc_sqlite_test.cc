// SQLite's ODBC driver as a `type: odbc` output: loads of every type land as
// the native SQLite connector loads them (the same declarations, the same
// stored values), in every load mode, and read back through ODBC.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "integration/odbc_support.h"
#include "support/embedded.h"
#include "support/run_dvt.h"
#include "support/services.h"

namespace dvt::test {
namespace {

constexpr const char* kDriver = "SQLite3";
constexpr const char* kPackage = "libsqliteodbc";

class OdbcSqlite : public ::testing::Test {
 protected:
  void SetUp() override {
    write_profiles(dir_.path(),
                   fmt::format("test:\n  target: lite\n  outputs:\n"
                               "    lite:\n      type: odbc\n      driver: {}\n      database: {}\n"
                               "    native:\n      type: sqlite\n      path: {}\n",
                               kDriver, db(), db()));
  }

  std::string db() const { return dir_.file("lite.db"); }
  std::string parquet(const std::string& file, const std::string& select) {
    std::string path = dir_.file(file + ".parquet");
    write_parquet(path, select);
    return path;
  }
  DvtRun dvt(std::vector<std::string> args) {
    args.insert(args.begin(), {"--profiles-dir", dir_.path()});
    return run_dvt(args, {.cwd = dir_.path()});
  }

  TempDir dir_;
};

TEST_F(OdbcSqlite, EveryTypeLandsAsTheNativeConnectorStoresIt) {
  REQUIRE_ODBC_DRIVER(kDriver, kPackage);
  std::string file = parquet("types", R"(SELECT * FROM (VALUES
      (1, true, 127::TINYINT, 32767::SMALLINT, 2147483647, 9223372036854775807, 1.5::FLOAT,
       0.1::DOUBLE + 0.2::DOUBLE, 1234567890.12::DECIMAL(12,2), 'ü€😀', '\x00\xff'::BLOB,
       DATE '2024-02-29', TIMESTAMP '2024-02-29 23:59:59.999999',
       TIMESTAMPTZ '2024-06-01 12:34:56.123456+00', 18446744073709551615::UBIGINT),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, false, (-128)::TINYINT, (-32768)::SMALLINT, -2147483648, -9223372036854775808, (-0.0)::FLOAT,
       5e-324, (-0.01)::DECIMAL(12,2), repeat('x', 70000), repeat('\xab', 1000)::BLOB,
       DATE '0001-01-01', TIMESTAMP '1970-01-01 00:00:00', TIMESTAMPTZ '1969-12-31 23:59:59+00',
       0::UBIGINT))
    v(id, b, ti, si, i, bi, f, d, dec, t, bl, dt, ts, tz, ub))");
  DvtRun odbc = dvt({"load", file, "lite:by_odbc"});
  ASSERT_EQ(odbc.exit_code, 0) << odbc.err;
  EXPECT_NE(odbc.out.find("method: native -> odbc"), std::string::npos) << odbc.out;
  DvtRun native = dvt({"load", file, "native:by_native"});
  ASSERT_EQ(native.exit_code, 0) << native.err;
  EXPECT_EQ(
      sqlite_query(db(), "SELECT group_concat(type, ', ') FROM pragma_table_info('by_odbc')"),
      sqlite_query(db(), "SELECT group_concat(type, ', ') FROM pragma_table_info('by_native')"));
  EXPECT_EQ(sqlite_query(db(),
                         "SELECT count(*) FROM (SELECT * FROM by_odbc EXCEPT SELECT * FROM "
                         "by_native)"),
            (Rows{{"0"}}));
  EXPECT_EQ(sqlite_query(db(), "SELECT typeof(dec), dec, typeof(ub), ub FROM by_odbc WHERE id = 1"),
            (Rows{{"text", "1234567890.12", "text", "18446744073709551615"}}));
  // Read back through both: the same rows, the same types. (SQLite's
  // printf, which reads doubles exactly through its driver, is off by one
  // unit in the last place within a hair of DBL_MAX: docs/odbc.md.)
  for (const char* output : {"lite", "native"}) {
    DvtRun back = dvt({"extract", std::string(output) + ":by_odbc", "--staging-dir", dir_.path(),
                       "--name", output});
    ASSERT_EQ(back.exit_code, 0) << output << ": " << back.err;
  }
  EXPECT_EQ(parquet_differences(dir_.file("lite.parquet"), dir_.file("native.parquet")), 0);
  EXPECT_EQ(parquet_differences(dir_.file("lite.parquet"), file), 0);
}

TEST_F(OdbcSqlite, MergeAndDeleteInsertThroughOdbc) {
  REQUIRE_ODBC_DRIVER(kDriver, kPackage);
  sqlite_exec(db(),
              "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'old'), "
              "(2, 'two')");
  std::string file = parquet("in", "SELECT * FROM (VALUES (2, 'new two'), (3, 'three')) v(id, v)");
  for (const char* mode : {"merge", "delete+insert"}) {
    sqlite_exec(db(), "DELETE FROM t; INSERT INTO t VALUES (1, 'old'), (2, 'two')");
    DvtRun run = dvt({"load", file, "lite:t", "--mode", mode});
    ASSERT_EQ(run.exit_code, 0) << mode << ": " << run.err;
    EXPECT_EQ(sqlite_query(db(), "SELECT id, v FROM t ORDER BY id"),
              (Rows{{"1", "old"}, {"2", "new two"}, {"3", "three"}}))
        << mode;
  }
  // A repeated key refuses the merge and leaves the table.
  std::string twice = parquet("twice", "SELECT * FROM (VALUES (5, 'a'), (5, 'b')) v(id, v)");
  DvtRun refused = dvt({"load", twice, "lite:t", "--mode", "merge"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(sqlite_query(db(), "SELECT count(*) FROM t"), (Rows{{"3"}}));
}

}  // namespace
}  // namespace dvt::test
