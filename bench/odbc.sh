#!/usr/bin/env bash
# ODBC benchmark: dvt through the odbc tier (psqlODBC, MariaDB Connector/ODBC)
# against dvt's native tier on the same tables in the same run, at 1M and 10M
# rows, extraction (table -> zstd Parquet) and load (Parquet -> the same
# table, default overwrite):
#
#   PostgreSQL  8 columns: bigint key, int, text, numeric(12,2), timestamptz,
#               boolean, double, nullable text (bench/postgres.sh's table)
#   MariaDB     8 columns: BIGINT key, INT, DECIMAL(12,2), DOUBLE, VARCHAR(64),
#               DATETIME(6), DATE, TINYINT(1) (bench/mysql.sh's table)
#
# Each step runs RUNS times (default 3; RUNS_LARGE, default 1, from 10M rows
# up), native and odbc taking turns, and the median counts; peak RSS is the largest of the runs (/usr/bin/time). Targets
# (issue 16): extraction at least 50% of the native tier's rows/s, loads at
# least 40%, peak RSS under 100 MB and flat from 1M to 10M rows. The Markdown
# table replaces the "ODBC" section of bench/README.md.
#
#   bench/odbc.sh [SIZES...]      default: 1000000 10000000
#   DATABASES="my" bench/odbc.sh  one database only (default "pg my")
#
# Starts no server: DVT_TEST_PG_* and DVT_TEST_MYSQL_* (scripts/services
# start; source $DVT_SERVICES_DIR/services.env). DVT: the dvt binary (default
# build/dvt). Needs odbc-postgresql and odbc-mariadb.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z "${DVT_TEST_PG_HOST:-}" && -f "${DVT_SERVICES_DIR:-/tmp/dvt-services}/services.env" ]]; then
  # shellcheck source=/dev/null
  source "${DVT_SERVICES_DIR:-/tmp/dvt-services}/services.env"
fi
: "${DVT_TEST_PG_HOST:?start the test servers (scripts/services start)}"
DVT=${DVT:-$root/build/dvt}
RUNS=${RUNS:-3}
RUNS_LARGE=${RUNS_LARGE:-1}
SIZES=("$@")
((${#SIZES[@]})) || SIZES=(1000000 10000000)
[[ -x "$DVT" ]] || { echo "bench: no dvt binary at $DVT (build it, or set DVT=)" >&2; exit 1; }
for driver in "PostgreSQL Unicode" "MariaDB Unicode"; do
  odbcinst -q -d | grep -qx "\[$driver\]" ||
    { echo "bench: ODBC driver '$driver' is not registered (scripts/install-deps --test)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/dvt-bench-odbc.XXXXXX")
trap 'rm -rf "$work"' EXIT
export PGPASSWORD=$DVT_TEST_PG_PASSWORD
export DVT_BENCH_PG_PASSWORD=$DVT_TEST_PG_PASSWORD DVT_BENCH_MY_PASSWORD=$DVT_TEST_MYSQL_PASSWORD
schema=dvt_bench_odbc
cat >"$work/profiles.yml" <<EOF
bench:
  target: pg
  outputs:
    pg:
      type: postgres
      host: $DVT_TEST_PG_HOST
      port: $DVT_TEST_PG_PORT
      user: $DVT_TEST_PG_USER
      password: "{{ env_var('DVT_BENCH_PG_PASSWORD') }}"
      dbname: $DVT_TEST_PG_DB
      schema: $schema
    my:
      type: mysql
      host: $DVT_TEST_MYSQL_HOST
      port: $DVT_TEST_MYSQL_PORT
      user: $DVT_TEST_MYSQL_USER
      password: "{{ env_var('DVT_BENCH_MY_PASSWORD') }}"
      database: $DVT_TEST_MYSQL_DB
EOF
chmod 600 "$work/profiles.yml"
printf '[client]\npassword=%s\n' "$DVT_TEST_MYSQL_PASSWORD" >"$work/client.cnf"
chmod 600 "$work/client.cnf"

psql_q() { psql -X -q -v ON_ERROR_STOP=1 -h "$DVT_TEST_PG_HOST" -p "$DVT_TEST_PG_PORT" -U "$DVT_TEST_PG_USER" "$DVT_TEST_PG_DB" "$@"; }
my() { mariadb --defaults-file="$work/client.cnf" -h "$DVT_TEST_MYSQL_HOST" -P "$DVT_TEST_MYSQL_PORT" \
  -u "$DVT_TEST_MYSQL_USER" "$DVT_TEST_MYSQL_DB" --batch --skip-column-names "$@"; }
dvt() { "$DVT" --profiles-dir "$work" -q "$@"; }

# shellcheck source=bench/measure.sh
source "$root/bench/measure.sh"
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

make_pg() {
  local t=$schema.t_$1
  psql_q -c "CREATE SCHEMA IF NOT EXISTS $schema" -c "DROP TABLE IF EXISTS $t, ${t}_load" -c "
    CREATE TABLE $t (id bigint PRIMARY KEY, qty int, name text, amount numeric(12,2),
      created timestamptz, active boolean, score double precision, note text);
    INSERT INTO $t SELECT g, (g % 100000)::int, 'customer ' || g, round((g % 1000000) / 7.0, 2),
      timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second', g % 3 = 0, g / 13.0,
      CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || (g % 997) END
    FROM generate_series(1, $1) g; CREATE TABLE ${t}_load (LIKE $t INCLUDING ALL)" -c "VACUUM ANALYZE $t"
  echo "pg:$t"
}

make_my() {
  local t=odbc_bench_$1
  my -e "DROP TABLE IF EXISTS \`$t\`, \`${t}_load\`;
    CREATE TABLE \`$t\` (id BIGINT NOT NULL PRIMARY KEY, i INT NOT NULL, d DECIMAL(12,2) NOT NULL,
      f DOUBLE NOT NULL, s VARCHAR(64) NOT NULL, t DATETIME(6) NOT NULL, dt DATE NOT NULL,
      b TINYINT(1) NOT NULL) ENGINE=InnoDB;
    INSERT INTO \`$t\` SELECT seq, seq * 7 % 1000003, (seq % 1000000) / 100, seq / 3.0e0,
      CONCAT('name-', seq, '-', LEFT(MD5(seq), 16)),
      TIMESTAMP'2020-01-01 00:00:00' + INTERVAL seq SECOND + INTERVAL (seq % 1000) MICROSECOND,
      DATE'2000-01-01' + INTERVAL (seq % 9000) DAY, seq % 2 FROM seq_1_to_$1;
    CREATE TABLE \`${t}_load\` LIKE \`$t\`"
  echo "my:$t"
}

declare -A runs_of
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
markdown="| rows | database | operation | native | odbc | odbc rows/s | odbc / native rows/s | peak RSS native / odbc |
|---:|---|---|---:|---:|---:|---:|---|"
for rows in "${SIZES[@]}"; do
  for db in ${DATABASES:-pg my}; do
    echo "== $db, $rows rows: building the table" >&2
    source_table=$("make_$db" "$rows")
    target="${source_table}_load"
    rm -f "$work"/x_* "$work"/l_*
    # The loads read the Parquet file a native extraction writes.
    dvt extract "$source_table" --staging-dir "$work" --name src --method native
    runs=$RUNS
    ((rows >= 10000000)) && runs=$RUNS_LARGE
    runs_of[$rows]=$runs
    for ((run = 1; run <= runs; ++run)); do
      order=(native odbc)
      ((run % 2 == 0)) && order=(odbc native)
      for method in "${order[@]}"; do
        measure "x_$method" "$DVT" --profiles-dir "$work" -q extract "$source_table" \
          --staging-dir "$work" --name "x_$method" --method "$method"
      done
      for method in "${order[@]}"; do
        measure "l_$method" "$DVT" --profiles-dir "$work" -q load "$work/src.parquet" "$target" \
          --method "$method"
      done
    done
    label=$([[ $db == pg ]] && echo "PostgreSQL (psqlODBC)" || echo "MariaDB (Connector/ODBC)")
    for op in x l; do
      native=$(median_seconds "${op}_native")
      odbc=$(median_seconds "${op}_odbc")
      name=$([[ $op == x ]] && echo "extract (table -> Parquet)" || echo "load (Parquet -> table, overwrite)")
      line=$(printf "| %s | %s | %s | %.2f s | %.2f s | %s | %.0f%% | %s / %s MB |" "$rows" "$label" \
        "$name" "$native" "$odbc" "$(rate "$rows" "$odbc")" \
        "$(awk -v a="$native" -v b="$odbc" 'BEGIN { print 100 * a / b }')" \
        "$(max_rss_mb "${op}_native")" "$(max_rss_mb "${op}_odbc")")
      echo "$line" >&2
      markdown+=$'\n'"$line"
    done
    if [[ $db == pg ]]; then psql_q -c "DROP SCHEMA $schema CASCADE"; else
      my -e "DROP TABLE IF EXISTS \`odbc_bench_$rows\`, \`odbc_bench_${rows}_load\`"; fi
    rm -f "$work"/*.parquet
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

machine="$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), PostgreSQL $(psql_q -At -c 'SHOW server_version' | cut -d' ' -f1), $(my -e 'SELECT VERSION()'), psqlODBC $(dpkg-query -W -f '${Version}' odbc-postgresql), MariaDB Connector/ODBC $(dpkg-query -W -f '${Version}' odbc-mariadb), $(date -u +%Y-%m-%d)"
section="## ODBC

Generated by \`bench/odbc.sh\` ($machine), median of $RUNS runs below 10M rows and
$RUNS_LARGE from 10M up, native and odbc taking turns. Load average (1, 5, 15 min) at start / end: $load_before / $load_after.
The odbc tier against dvt's own native tier on the same tables: extraction to zstd
Parquet, and loads of the native extraction's Parquet file into a table of the source's
DDL (default overwrite: PostgreSQL TRUNCATE and the rows in one transaction on both
tiers; MariaDB's native tier fills a shadow table and swaps it in, its odbc tier DELETEs
and inserts in one InnoDB transaction). PostgreSQL's table is bench/postgres.sh's, MariaDB's bench/mysql.sh's.
Peak RSS: the whole dvt process, largest of the runs. Targets (issue 16): extraction
at least 50% of the native rows/s, loads at least 40%, peak RSS under 100 MB and flat.

$markdown
"
readme="$root/bench/README.md"
awk -v section="$section" '
  /^## / { if (skip) skip = 0; if ($0 == "## ODBC") { print section; skip = 1; done = 1; next } }
  !skip { print }
  END { if (!done) { print ""; print section } }
' "$readme" >"$readme.tmp"
mv "$readme.tmp" "$readme"
echo "bench: wrote the ODBC section of $readme" >&2
