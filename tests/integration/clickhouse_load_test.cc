// Loading into ClickHouse: the DDL contract (overwrite keeps the table,
// --full-refresh recreates it, append adds), a failed or killed load that
// leaves the previous contents readable, the tiers (auto falling back to
// clickhouse-client, whose password never reaches its command line), and
// row hashes computed in the server.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "engine/engine.h"
#include "integration/clickhouse_support.h"
#include "support/embedded.h"

namespace dvt::test::chtest {
namespace {

using namespace std::chrono_literals;

class ClickHouseLoad : public ::testing::Test {
 protected:
  ClickHouseLoad() : db_("load") {
    db_.db().exec(fmt::format(
        "CREATE TABLE {} (id UInt32, name String, amount Decimal(10, 2), d Date) "
        "ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY id SETTINGS index_granularity = 1024",
        db_.table("orders")));
    db_.db().exec(
        fmt::format("INSERT INTO {} VALUES (1, 'old one', 1.00, '2024-01-05'), "
                    "(2, 'old two', 2.00, '2024-02-05'), (3, 'old three', 3.00, '2024-02-06')",
                    db_.table("orders")));
    // The incoming rows, as a Parquet file.
    Engine engine;
    engine.execute(
        fmt::format("COPY (SELECT * FROM (VALUES (10::UINTEGER, 'new ten', 10.50::DECIMAL(10,2), "
                    "DATE '2024-03-01'), "
                    "(11, 'new eleven', 11.25, DATE '2024-01-31')) t(id, name, amount, d)) TO {} "
                    "(FORMAT parquet)",
                    duck_literal(db_.file("incoming.parquet"))));
  }

  std::string orders() { return sorted("orders"); }
  // id|name|amount|d of every row, ordered by id.
  std::string sorted(const std::string& table) {
    std::string out;
    for (const auto& row : db_.db().rows(
             fmt::format("SELECT id, name, amount, d FROM {} ORDER BY id", db_.table(table)))) {
      out += fmt::format("{}|{}|{}|{};", row[0], row[1], row[2], row[3]);
    }
    return out;
  }
  std::string create_statement(const std::string& table) {
    return db_.db().value(
        fmt::format("SELECT engine_full FROM system.tables WHERE database = '{}' AND name = '{}'",
                    db_.name(), table));
  }
  // Tables of the test database other than the ones the test made.
  std::vector<std::string> tables() {
    std::vector<std::string> names;
    for (const auto& row : db_.db().rows(fmt::format(
             "SELECT name FROM system.tables WHERE database = '{}' ORDER BY name", db_.name()))) {
      names.push_back(row[0]);
    }
    return names;
  }

  ChTestDatabase db_;
};

TEST_F(ClickHouseLoad, OverwriteKeepsTheTableAndReplacesItsRows) {
  std::string engine_before = create_statement("orders");
  for (const char* method : {"native", "pipe"}) {
    DvtRun load =
        db_.dvt({"load", db_.file("incoming.parquet"), db_.endpoint("orders"), "--method", method});
    ASSERT_EQ(load.exit_code, 0) << load.err;
    EXPECT_EQ(orders(), "10|new ten|10.50|2024-03-01;11|new eleven|11.25|2024-01-31;") << method;
    EXPECT_EQ(create_statement("orders"), engine_before) << method;
    EXPECT_EQ(tables(), (std::vector<std::string>{"orders"})) << method;
  }
  EXPECT_EQ(engine_before,
            "MergeTree PARTITION BY toYYYYMM(d) ORDER BY id SETTINGS index_granularity = 1024");
}

TEST_F(ClickHouseLoad, AppendAttachesTheNewRowsToEveryPartition) {
  DvtRun load =
      db_.dvt({"load", db_.file("incoming.parquet"), db_.endpoint("orders"), "--mode", "append"});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(orders(),
            "1|old one|1.00|2024-01-05;2|old two|2.00|2024-02-05;3|old three|3.00|2024-02-06;"
            "10|new ten|10.50|2024-03-01;11|new eleven|11.25|2024-01-31;");
  EXPECT_EQ(tables(), (std::vector<std::string>{"orders"}));
}

TEST_F(ClickHouseLoad, FullRefreshRecreatesTheTableOrderedByTheSourceKey) {
  db_.write_profiles({}, fmt::format("lite:\n  type: sqlite\n  path: {}\n", db_.file("src.db")));
  sqlite_exec(
      db_.file("src.db"),
      "CREATE TABLE orders (id INTEGER NOT NULL, region TEXT NOT NULL, total DECIMAL(12,2), "
      "PRIMARY KEY (region, id)); INSERT INTO orders VALUES (1, 'eu', 5.5), (2, 'us', NULL);");
  DvtRun copy = db_.dvt({"copy", "lite:orders", db_.endpoint("orders"), "--full-refresh"});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_EQ(create_statement("orders"),
            "MergeTree ORDER BY (region, id) SETTINGS index_granularity = 8192");
  ChRows columns = db_.db().rows(fmt::format(
      "SELECT name, type FROM system.columns WHERE database = '{}' AND table = 'orders'",
      db_.name()));
  EXPECT_EQ(columns,
            (ChRows{{"id", "Int64"}, {"region", "String"}, {"total", "Nullable(Decimal(12, 2))"}}));
  EXPECT_EQ(db_.db().rows(fmt::format("SELECT * FROM {} ORDER BY id", db_.table("orders"))),
            (ChRows{{"1", "eu", "5.50"}, {"2", "us", "\\N"}}));
}

TEST_F(ClickHouseLoad, AnIncomingColumnTheTableLacksFailsAndChangesNothing) {
  Engine engine;
  engine.execute(
      fmt::format("COPY (SELECT 1::UINTEGER AS id, 'x' AS surprise) TO {} (FORMAT parquet)",
                  duck_literal(db_.file("extra.parquet"))));
  DvtRun load = db_.dvt({"load", db_.file("extra.parquet"), db_.endpoint("orders")});
  EXPECT_EQ(load.exit_code, 1);
  EXPECT_NE(load.err.find("has no column \"surprise\"; use --full-refresh"), std::string::npos)
      << load.err;
  EXPECT_EQ(orders(),
            "1|old one|1.00|2024-01-05;2|old two|2.00|2024-02-05;3|old three|3.00|2024-02-06;");
  EXPECT_EQ(tables(), (std::vector<std::string>{"orders"}));
}

TEST_F(ClickHouseLoad, AValueTheTableCannotHoldFailsAndChangesNothing) {
  // The second file's row 3 has a NULL name, which a String column cannot hold
  // (ClickHouse itself would store '' instead).
  Engine engine;
  engine.execute(
      fmt::format("COPY (SELECT i::UINTEGER AS id, CASE WHEN i = 2 THEN NULL ELSE 'n' END AS name, "
                  "1::DECIMAL(10,2) AS amount, DATE '2024-01-01' AS d FROM range(3) t(i)) TO {} "
                  "(FORMAT parquet)",
                  duck_literal(db_.file("null.parquet"))));
  for (const char* method : {"native", "pipe"}) {
    DvtRun load =
        db_.dvt({"load", db_.file("null.parquet"), db_.endpoint("orders"), "--method", method});
    EXPECT_EQ(load.exit_code, 1) << method;
    EXPECT_NE(
        load.err.find("row 3 column \"name\": NULL in a ClickHouse column that is not Nullable"),
        std::string::npos)
        << load.err;
    EXPECT_EQ(orders(),
              "1|old one|1.00|2024-01-05;2|old two|2.00|2024-02-05;3|old three|3.00|2024-02-06;");
    EXPECT_EQ(tables(), (std::vector<std::string>{"orders"})) << method;
  }
}

TEST_F(ClickHouseLoad, AKilledLoadLeavesThePreviousContentsReadable) {
  // A source that takes seconds: ClickHouse sleeps 2.6 s per block of 65536 rows.
  std::vector<std::string> args = {
      "--profiles-dir",
      db_.dir(),
      "copy",
      "ch",
      db_.endpoint("orders"),
      "--query",
      "SELECT toUInt32(number + sleepEachRow(0.00004)) AS id, toString(number) AS name, "
      "toDecimal64(number, 2) AS amount, toDate('2024-05-01') AS d FROM numbers(400000)"};
  // A temp folder of the test's own: other tests' jobs running beside this
  // one sweep the scratch folders of dead jobs in the shared one.
  const std::filesystem::path tmp = std::filesystem::path(db_.dir()) / "tmp";
  std::filesystem::create_directory(tmp);
  const std::vector<std::pair<std::string, std::string>> environment = {{"TMPDIR", tmp.string()}};
  pid_t pid = spawn_dvt(args, db_.dir(), environment);
  // Wait until the rows are flowing into the staging table, then kill -9.
  bool inserting = false;
  for (int i = 0; i < 200 && !inserting; ++i) {
    std::this_thread::sleep_for(50ms);
    inserting = db_.db().value(fmt::format("SELECT count() FROM system.processes WHERE query LIKE "
                                           "'INSERT INTO `{}`.`orders__dvt_tmp_%'",
                                           db_.name())) == "1";
  }
  ASSERT_TRUE(inserting) << read_file(db_.file("spawned.err"));
  std::this_thread::sleep_for(3s);
  ::kill(pid, SIGKILL);
  EXPECT_EQ(wait_dvt(pid), 128 + SIGKILL);
  EXPECT_EQ(orders(),
            "1|old one|1.00|2024-01-05;2|old two|2.00|2024-02-05;3|old three|3.00|2024-02-06;");
  std::vector<std::string> left = tables();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[1].rfind("orders__dvt_tmp_", 0), 0u) << left[1];
  const std::filesystem::path scratch = tmp / fmt::format("dvt-{}", pid);
  EXPECT_TRUE(std::filesystem::is_directory(scratch));

  // The next load into the table drops what the killed one left, and the
  // next job removes its scratch folder.
  DvtRunOptions options;
  options.environment = environment;
  DvtRun load = db_.dvt({"load", db_.file("incoming.parquet"), db_.endpoint("orders")}, options);
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(orders(), "10|new ten|10.50|2024-03-01;11|new eleven|11.25|2024-01-31;");
  EXPECT_EQ(tables(), (std::vector<std::string>{"orders"}));
  EXPECT_FALSE(std::filesystem::exists(scratch));
}

TEST_F(ClickHouseLoad, AnInterruptedLoadDropsItsStagingTable) {
  DvtRunOptions options;
  options.interrupt_after_ms = 3000;
  DvtRun copy =
      db_.dvt({"copy", "ch", db_.endpoint("orders"), "--query",
               "SELECT toUInt32(number + sleepEachRow(0.00004)) AS id, toString(number) AS name, "
               "toDecimal64(number, 2) AS amount, toDate('2024-05-01') AS d FROM numbers(400000)"},
              options);
  EXPECT_EQ(copy.exit_code, 130) << copy.err;
  EXPECT_EQ(orders(),
            "1|old one|1.00|2024-01-05;2|old two|2.00|2024-02-05;3|old three|3.00|2024-02-06;");
  EXPECT_EQ(tables(), (std::vector<std::string>{"orders"}));
}

TEST_F(ClickHouseLoad, AutoFallsBackToClickhouseClientWhenHttpIsUnreachable) {
  DvtRun copy =
      db_.dvt({"copy", db_.endpoint("orders", "ch_nohttp"), db_.endpoint("copied", "ch_nohttp")});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_NE(copy.out.find("method: pipe -> pipe"), std::string::npos) << copy.out;
  EXPECT_NE(copy.out.find("fallback: native -> pipe"), std::string::npos) << copy.out;
  EXPECT_NE(copy.err.find("cannot reach ClickHouse's HTTP interface"), std::string::npos)
      << copy.err;
  EXPECT_EQ(sorted("copied"), orders());
  DvtRun native = db_.dvt({"extract", db_.endpoint("orders", "ch_nohttp"), "--method", "native",
                           "--staging-dir", db_.dir()});
  EXPECT_EQ(native.exit_code, 1);
  EXPECT_NE(native.err.find("cannot reach ClickHouse's HTTP interface"), std::string::npos)
      << native.err;
}

TEST_F(ClickHouseLoad, ClickhouseClientReadsThePasswordFromAPrivateFileNotItsCommandLine) {
  const std::string password = db_.db().env().password;
  pid_t pid = spawn_dvt({"--profiles-dir", db_.dir(), "extract", "ch", "--method", "pipe", "--name",
                         "slow", "--staging-dir", db_.dir(), "--query",
                         "SELECT toUInt32(number + sleepEachRow(0.5)) AS n FROM numbers(4)"},
                        db_.dir());
  std::vector<std::string> seen;  // command lines of the clickhouse-client children
  std::string config_file;
  int status = -1;
  for (int i = 0; i < 1000 && status < 0; ++i) {
    for (pid_t child : child_pids(pid)) {
      std::vector<std::string> args = command_line(child);
      if (args.empty() || args[0].find("clickhouse") == std::string::npos) continue;
      // The version probe before the tier is trusted carries no connection settings.
      if (args.back() == "--version") continue;
      std::string joined;
      for (const auto& arg : args) {
        joined += arg + " ";
        if (arg.rfind("--config-file=", 0) == 0) config_file = arg.substr(14);
      }
      if (std::find(seen.begin(), seen.end(), joined) == seen.end()) seen.push_back(joined);
      struct stat info {};
      if (!config_file.empty() && ::stat(config_file.c_str(), &info) == 0) {
        EXPECT_EQ(info.st_mode & 0777, 0600u);
        struct stat dir_info {};
        ASSERT_EQ(::stat(std::filesystem::path(config_file).parent_path().c_str(), &dir_info), 0);
        EXPECT_EQ(dir_info.st_mode & 0777, 0700u);
      }
    }
    int raw = 0;
    if (::waitpid(pid, &raw, WNOHANG) == pid)
      status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    std::this_thread::sleep_for(10ms);
  }
  if (status < 0) status = wait_dvt(pid);
  EXPECT_EQ(status, 0) << read_file(db_.file("spawned.err"));
  ASSERT_FALSE(seen.empty()) << "no clickhouse-client child was seen";
  for (const auto& line : seen) {
    EXPECT_EQ(line.find(password), std::string::npos) << line;
    EXPECT_NE(line.find("--config-file="), std::string::npos) << line;
  }
  // The query itself was among them, and its folder is gone with it.
  EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [](const std::string& line) {
    return line.find("sleepEachRow") != std::string::npos;
  }));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(config_file).parent_path()));
}

TEST_F(ClickHouseLoad, AWrongPasswordFailsWithAClearMessage) {
  db_.write_profiles({});
  std::string profiles = read_file(db_.dir() + "/profiles.yml");
  std::string wrong = profiles;
  for (size_t at = wrong.find(db_.db().env().password); at != std::string::npos;
       at = wrong.find(db_.db().env().password)) {
    wrong.replace(at, db_.db().env().password.size(), "not-the-password");
  }
  write_file(db_.dir() + "/profiles.yml", wrong);
  for (const char* method : {"native", "pipe"}) {
    DvtRun extract = db_.dvt(
        {"extract", db_.endpoint("orders"), "--staging-dir", db_.dir(), "--method", method});
    EXPECT_EQ(extract.exit_code, 1) << method;
    EXPECT_NE(extract.err.find("authentication failed for user 'dvt'"), std::string::npos)
        << extract.err;
    EXPECT_EQ(extract.err.find("not-the-password"), std::string::npos) << extract.err;
  }
}

TEST_F(ClickHouseLoad, RowHashesFollowTheContract) {
  db_.db().exec(
      fmt::format("CREATE TABLE {} (id UInt32, name Nullable(String), amount Decimal(10, 2), "
                  "tags Array(String)) ENGINE = MergeTree ORDER BY id",
                  db_.table("h")));
  db_.db().exec(fmt::format(
      "INSERT INTO {} VALUES (1, 'a', 1.5, ['x', 'y']), (2, NULL, 0, []), (3, 'é', -2, [''])",
      db_.table("h")));
  DvtRun hashes = db_.dvt({"hashes", db_.endpoint("h"), "--staging-dir", db_.dir()});
  ASSERT_EQ(hashes.exit_code, 0) << hashes.err;
  Rows got = duck_query(fmt::format("SELECT _pk, _hash FROM read_parquet({}) ORDER BY _pk",
                                    duck_literal(db_.dir() + "/_state/h.hashes.parquet")));
  // "V" <byte length> ":" <text> per value, "N" for NULL; é is two bytes.
  Rows expected = duck_query(
      "SELECT * FROM (VALUES ('1', md5('V1:1V1:aV4:1.50V9:[''x'',''y'']')), ('2', "
      "md5('V1:2NV4:0.00V2:[]')), "
      "('3', md5('V1:3V2:éV5:-2.00V4:['''']'))) t(a, b) ORDER BY a");
  EXPECT_EQ(got, expected);

  db_.db().exec(
      fmt::format("CREATE TABLE {} (region String, id Int64, v Float64) ENGINE = MergeTree "
                  "ORDER BY (region, id)",
                  db_.table("composite")));
  db_.db().exec(fmt::format("INSERT INTO {} VALUES ('eu', 7, 0.1)", db_.table("composite")));
  hashes = db_.dvt({"hashes", db_.endpoint("composite"), "--staging-dir", db_.dir()});
  ASSERT_EQ(hashes.exit_code, 0) << hashes.err;
  got = duck_query(fmt::format("SELECT _pk, _hash FROM read_parquet({})",
                               duck_literal(db_.dir() + "/_state/composite.hashes.parquet")));
  EXPECT_EQ(got, duck_query("SELECT 'V2:euV1:7', md5('V2:euV1:7V3:0.1')"));

  db_.db().exec(fmt::format("CREATE TABLE {} (v UInt8) ENGINE = MergeTree ORDER BY tuple()",
                            db_.table("nokey")));
  hashes = db_.dvt({"hashes", db_.endpoint("nokey"), "--staging-dir", db_.dir()});
  EXPECT_EQ(hashes.exit_code, 2);
  EXPECT_NE(hashes.err.find("row hashes need one"), std::string::npos) << hashes.err;
}

}  // namespace
}  // namespace dvt::test::chtest
