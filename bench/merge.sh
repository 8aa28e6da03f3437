#!/usr/bin/env bash
# Merge benchmark: `dvt load --mode merge` of 1% of a table's rows (half of
# them updates of existing keys, half new keys) into a 10M-row table, against
# the same upsert written by hand through the database's own client, in one
# transaction, all in the same run:
#
#   PostgreSQL  psql: BEGIN; CREATE TEMP TABLE s (LIKE t); COPY s FROM STDIN
#               (csv); INSERT INTO t SELECT * FROM s ON CONFLICT (id) DO
#               UPDATE SET ...; COMMIT
#   MariaDB     mariadb: CREATE TEMPORARY TABLE s LIKE t; LOAD DATA LOCAL
#               INFILE; START TRANSACTION; INSERT INTO t SELECT * FROM s ON
#               DUPLICATE KEY UPDATE ...; COMMIT
#
# Before every timed run the target is put back to its original 10M rows
# (untimed), so each run does the same work. Fastest of REPEAT runs (default
# 3); peak RSS of dvt from /usr/bin/time -v. Writes the "Merge" section of
# bench/README.md.
#
#   bench/merge.sh [ROWS]      default 10000000
#
# Starts no server: DVT_TEST_PG_* and DVT_TEST_MYSQL_* (scripts/services
# start; source $DVT_SERVICES_DIR/services.env). DVT: the binary (build/dvt).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
env_file=${DVT_SERVICES_DIR:-/tmp/dvt-services}/services.env
if [[ -z "${DVT_TEST_PG_HOST:-}" && -f "$env_file" ]]; then
  # shellcheck disable=SC1090
  source "$env_file"
fi
: "${DVT_TEST_PG_HOST:?no PostgreSQL server: scripts/services start}"
: "${DVT_TEST_MYSQL_HOST:?no MariaDB server: scripts/services start}"
DVT=${DVT:-$root/build/dvt}
[[ -x "$DVT" ]] || { echo "bench: no dvt binary at $DVT (set DVT=)" >&2; exit 1; }
n=${1:-10000000}
changed=$((n / 100))
work=$(mktemp -d "${TMPDIR:-/tmp}/dvt-bench-merge.XXXXXX")
trap 'rm -rf "$work"' EXIT

export PGHOST=$DVT_TEST_PG_HOST PGPORT=$DVT_TEST_PG_PORT PGUSER=$DVT_TEST_PG_USER
export PGPASSWORD=$DVT_TEST_PG_PASSWORD PGDATABASE=$DVT_TEST_PG_DB
export PGOPTIONS="-c client_min_messages=warning"
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
client=$(command -v mariadb || command -v mysql)
(
  umask 077
  cat >"$work/client.cnf" <<CNF
[client]
user=$DVT_TEST_MYSQL_USER
password=$DVT_TEST_MYSQL_PASSWORD
host=$DVT_TEST_MYSQL_HOST
port=$DVT_TEST_MYSQL_PORT
database=$DVT_TEST_MYSQL_DB
local-infile=1
CNF
  cat >"$work/profiles.yml" <<YML
bench:
  target: pg
  outputs:
    pg:
      type: postgres
      host: $PGHOST
      port: $PGPORT
      user: $PGUSER
      password: "{{ env_var('PGPASSWORD') }}"
      dbname: $PGDATABASE
      schema: dvt_bench_merge
    my:
      type: mysql
      host: $DVT_TEST_MYSQL_HOST
      port: $DVT_TEST_MYSQL_PORT
      user: $DVT_TEST_MYSQL_USER
      password: "{{ env_var('DVT_TEST_MYSQL_PASSWORD') }}"
      database: $DVT_TEST_MYSQL_DB
YML
)
my_q() { "$client" --defaults-extra-file="$work/client.cnf" "$@"; }
dvt=("$DVT" --profiles-dir "$work" -q)
load_before=$(load_average)
table="| database | operation | seconds | ratio to hand-written upsert | dvt peak RSS (MB) |
|---|---|---:|---:|---:|"

# --- PostgreSQL ---
columns="qty int, name text, amount numeric(12,2), created timestamptz, active boolean, score double precision, note text"
echo "== PostgreSQL: $n rows, $changed changed" >&2
psql_q <<SQL
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS dvt_bench_merge CASCADE;
CREATE SCHEMA dvt_bench_merge;
CREATE TABLE dvt_bench_merge.base (id bigint PRIMARY KEY, $columns);
INSERT INTO dvt_bench_merge.base SELECT g, (g % 100000)::int, 'customer ' || g,
  round((g % 1000000) / 7.0, 2), timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second',
  g % 3 = 0, g / 13.0, CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || (g % 997) END
FROM generate_series(1, $n) g;
-- Half updates of spread-out existing keys, half new keys.
CREATE TABLE dvt_bench_merge.changes (id bigint PRIMARY KEY, $columns);
INSERT INTO dvt_bench_merge.changes SELECT g * 200, 7, 'changed ' || g, 1.25, now(), true, 0.5, 'x'
FROM generate_series(1, $((changed / 2))) g;
INSERT INTO dvt_bench_merge.changes SELECT $n + g, 7, 'new ' || g, 2.5, now(), false, 1.5, NULL
FROM generate_series(1, $((changed / 2))) g;
SQL
"${dvt[@]}" extract pg:dvt_bench_merge.changes --staging-dir "$work" --name changes
psql_q -c "COPY dvt_bench_merge.changes TO STDOUT (FORMAT csv)" >"$work/changes.csv"
reset_pg="psql_q -c 'DROP TABLE IF EXISTS dvt_bench_merge.t; CREATE TABLE dvt_bench_merge.t (LIKE dvt_bench_merge.base INCLUDING ALL); INSERT INTO dvt_bench_merge.t SELECT * FROM dvt_bench_merge.base' -c 'VACUUM ANALYZE dvt_bench_merge.t'"
set_list="qty = EXCLUDED.qty, name = EXCLUDED.name, amount = EXCLUDED.amount, created = EXCLUDED.created, active = EXCLUDED.active, score = EXCLUDED.score, note = EXCLUDED.note"
cat >"$work/upsert.sql" <<SQL
BEGIN;
CREATE TEMP TABLE s (LIKE dvt_bench_merge.t) ON COMMIT DROP;
\copy s FROM '$work/changes.csv' (FORMAT csv)
INSERT INTO dvt_bench_merge.t SELECT * FROM s ON CONFLICT (id) DO UPDATE SET $set_list;
COMMIT;
SQL
BEFORE=$reset_pg
timed psql -X -q -v ON_ERROR_STOP=1 -f "$work/upsert.sql"
raw=$SECONDS_TAKEN
table+=$'\n'"| PostgreSQL | psql: COPY into a temp table + INSERT ... ON CONFLICT DO UPDATE | $raw | 1.00 | - |"
BEFORE=$reset_pg
timed "${dvt[@]}" load "$work/changes.parquet" pg:dvt_bench_merge.t --mode merge
table+=$'\n'"| PostgreSQL | dvt load --mode merge (native: COPY into staging, UPDATE ... FROM, INSERT of the new keys) | $SECONDS_TAKEN | $(ratio "$SECONDS_TAKEN" "$raw") | $RSS_MB |"
count=$(psql_q -At -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE name LIKE 'changed %') FROM dvt_bench_merge.t")
[[ "$count" == "$((n + changed / 2)) $((changed / 2))" ]] || { echo "bench: PostgreSQL merge left $count" >&2; exit 1; }
psql_q -c "DROP SCHEMA dvt_bench_merge CASCADE"

# --- MariaDB ---
echo "== MariaDB: $n rows, $changed changed" >&2
my_columns="qty INT, name TEXT, amount DECIMAL(12,2), created DATETIME(6), active BOOLEAN, score DOUBLE, note TEXT"
my_q <<SQL
DROP TABLE IF EXISTS bench_merge_base, bench_merge_t, bench_merge_changes;
CREATE TABLE bench_merge_base (id BIGINT PRIMARY KEY, $my_columns) ENGINE=InnoDB;
INSERT INTO bench_merge_base SELECT seq, seq % 100000, CONCAT('customer ', seq), ROUND((seq % 1000000) / 7.0, 2),
  TIMESTAMP '2020-01-01 00:00:00' + INTERVAL seq SECOND, seq % 3 = 0, seq / 13.0,
  IF(seq % 4 = 0, NULL, CONCAT('note ', seq % 997)) FROM seq_1_to_$n;
CREATE TABLE bench_merge_changes (id BIGINT PRIMARY KEY, $my_columns) ENGINE=InnoDB;
INSERT INTO bench_merge_changes SELECT seq * 200, 7, CONCAT('changed ', seq), 1.25, NOW(6), TRUE, 0.5, 'x'
  FROM seq_1_to_$((changed / 2));
INSERT INTO bench_merge_changes SELECT $n + seq, 7, CONCAT('new ', seq), 2.5, NOW(6), FALSE, 1.5, NULL
  FROM seq_1_to_$((changed / 2));
SQL
"${dvt[@]}" extract my:bench_merge_changes --staging-dir "$work" --name my_changes
my_q --batch --skip-column-names -e "SELECT * FROM bench_merge_changes" >"$work/changes.tsv"
reset_my="my_q -e 'DROP TABLE IF EXISTS bench_merge_t; CREATE TABLE bench_merge_t LIKE bench_merge_base; INSERT INTO bench_merge_t SELECT * FROM bench_merge_base'"
my_set="qty = VALUES(qty), name = VALUES(name), amount = VALUES(amount), created = VALUES(created), active = VALUES(active), score = VALUES(score), note = VALUES(note)"
cat >"$work/upsert_my.sql" <<SQL
CREATE TEMPORARY TABLE s LIKE bench_merge_t;
LOAD DATA LOCAL INFILE '$work/changes.tsv' INTO TABLE s;
START TRANSACTION;
INSERT INTO bench_merge_t SELECT * FROM s ON DUPLICATE KEY UPDATE $my_set;
COMMIT;
SQL
BEFORE=$reset_my
timed sh -c "'$client' --defaults-extra-file='$work/client.cnf' < '$work/upsert_my.sql'"
raw=$SECONDS_TAKEN
table+=$'\n'"| MariaDB | mariadb: LOAD DATA into a temp table + INSERT ... ON DUPLICATE KEY UPDATE | $raw | 1.00 | - |"
BEFORE=$reset_my
timed "${dvt[@]}" load "$work/my_changes.parquet" my:bench_merge_t --mode merge
table+=$'\n'"| MariaDB | dvt load --mode merge (native: LOAD DATA into a temp table, UPDATE ... JOIN, INSERT of the new keys) | $SECONDS_TAKEN | $(ratio "$SECONDS_TAKEN" "$raw") | $RSS_MB |"
count=$(my_q --batch --skip-column-names -e "SELECT CONCAT(COUNT(*), ' ', SUM(name LIKE 'changed %')) FROM bench_merge_t")
[[ "$count" == "$((n + changed / 2)) $((changed / 2))" ]] || { echo "bench: MariaDB merge left $count" >&2; exit 1; }
my_q -e "DROP TABLE IF EXISTS bench_merge_base, bench_merge_t, bench_merge_changes"

load_after=$(load_average)
section="## Merge

Generated by \`bench/merge.sh\` ($(nproc) cores, $(date -u +%Y-%m-%d)): $changed changed rows
($((changed / 2)) updates of existing keys, $((changed / 2)) new keys) merged into a table of $n rows
with a primary key, fastest of ${REPEAT:-3} runs; before each run the table is put back to its
original rows. The hand-written upsert is the same change through the database's own client
in one transaction. Load average at start / end: $load_before / $load_after.

$table
"
write_section Merge "$section"
