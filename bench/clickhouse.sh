#!/usr/bin/env bash
# ClickHouse benchmark: dvt against clickhouse-client itself, on tables of 1K
# to 10M rows (8 columns: UInt64 id, Int32, String, Decimal(12,2), DateTime,
# UInt8, Float64, Nullable(String)), all in the same run:
#
#   raw SELECT     clickhouse-client --query "SELECT * FROM t FORMAT Native" > /dev/null
#   extract        dvt extract, native (HTTP) and pipe (clickhouse-client) (zstd Parquet)
#   writer floor   dvt extract of the same rows from a local DuckDB file: the
#                  Parquet writer alone, with no server and no decoding, on the
#                  same two cores (what any extraction to zstd Parquet costs at
#                  the least)
#   raw INSERT     clickhouse-client --query "INSERT INTO t2 FORMAT TSV" < t.tsv
#   load           dvt load of the extracted Parquet: native into a new table
#                  (NOT NULL columns from the staging file's metadata), native over an
#                  existing table of the source's DDL (staging table + swap),
#                  pipe into a new table
#   copy           dvt copy CH -> CH (native, no staging file)
#
# Every timed run starts once the server merges no parts in the bench
# database (merges of the table just built or just loaded would otherwise
# run during the next measurement, on the same two cores).
#
# Each operation runs RUNS times (default 3): the table shows the fastest wall
# time and the largest peak RSS, from /usr/bin/time -v (for the pipe tier the
# peak is the larger of dvt and the clickhouse-client it runs). The Markdown
# table replaces the "ClickHouse" section of bench/README.md.
#
#   bench/clickhouse.sh [SIZES...]      default: 1000 100000 1000000 10000000
#
# Starts no server. Connection: DVT_TEST_CH_* (scripts/services start
# clickhouse; source $DVT_SERVICES_DIR/services.env). DVT: the dvt binary
# (default build/dvt). WORK: scratch folder.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z "${DVT_TEST_CH_HOST:-}" && -f "${DVT_SERVICES_DIR:-/tmp/dvt-services}/services.env" ]]; then
  # shellcheck source=/dev/null
  source "${DVT_SERVICES_DIR:-/tmp/dvt-services}/services.env"
fi
CH_HOST=${DVT_TEST_CH_HOST:-127.0.0.1}
CH_HTTP_PORT=${DVT_TEST_CH_HTTP_PORT:-8123}
CH_NATIVE_PORT=${DVT_TEST_CH_NATIVE_PORT:-9000}
CH_USER=${DVT_TEST_CH_USER:-default}
CH_PASSWORD=${DVT_TEST_CH_PASSWORD:-}
DVT=${DVT:-$root/build/dvt}
# A scratch folder the script makes is removed whole at the end; a WORK given
# to it keeps everything but the data files.
own_work=0
if [[ -z "${WORK:-}" ]]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/dvt-bench-ch.XXXXXX")
  own_work=1
fi
RUNS=${RUNS:-3}
SIZES=("$@")
((${#SIZES[@]})) || SIZES=(1000 100000 1000000 10000000)
DB=dvt_bench

[[ -x "$DVT" ]] || { echo "bench: no dvt binary at $DVT (build it, or set DVT=)" >&2; exit 1; }
client=(clickhouse-client)
command -v clickhouse-client >/dev/null || client=(clickhouse client)
command -v "${client[0]}" >/dev/null || { echo "bench: clickhouse-client not found (apt-get install clickhouse-client)" >&2; exit 1; }
mkdir -p "$WORK"
trap 'rm -rf "$WORK"/*.parquet "$WORK"/*.tsv "$WORK"/_state "$WORK/client.xml" "$WORK"/floor.duckdb*; if ((own_work)); then rm -rf "$WORK"; fi' EXIT

# The password reaches the client through a 0600 configuration file and dvt
# through the environment; never a command line.
(umask 077; cat >"$WORK/client.xml" <<EOF
<config>
  <host>$CH_HOST</host>
  <port>$CH_NATIVE_PORT</port>
  <user>$CH_USER</user>
  <password>$CH_PASSWORD</password>
</config>
EOF
)
ch() { "${client[@]}" --config-file="$WORK/client.xml" "$@"; }
# Waits (at most two minutes) until no merge runs in the bench database.
settle() {
  local k
  for ((k = 0; k < 600; k++)); do
    [[ $(ch --query "SELECT count() FROM system.merges WHERE database = '$DB'") == 0 ]] && return
    sleep 0.2
  done
}

export DVT_BENCH_PASSWORD="$CH_PASSWORD"
cat >"$WORK/profiles.yml" <<EOF
bench:
  target: ch
  outputs:
    ch:
      type: clickhouse
      host: $CH_HOST
      port: $CH_HTTP_PORT
      native_port: $CH_NATIVE_PORT
      user: $CH_USER
      password: "{{ env_var('DVT_BENCH_PASSWORD') }}"
      database: $DB
    duck:
      type: duckdb
      path: $WORK/floor.duckdb
EOF
chmod 600 "$WORK/profiles.yml"

# Runs "$@" under /usr/bin/time -v; sets SECONDS_TAKEN and RSS_MB.
timed() {
  local log="$WORK/time.log"
  /usr/bin/time -v -o "$log" "$@"
  SECONDS_TAKEN=$(awk -F': ' '/Elapsed \(wall clock\)/ {
      n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
  RSS_MB=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$log")
}

# best SETUP CMD...: RUNS times, runs SETUP (untimed, eval'd) then CMD under
# timed; leaves the fastest time in SECONDS_TAKEN and the largest RSS in RSS_MB.
best() {
  local setup=$1 best_s="" best_rss=0 r
  shift
  for ((r = 0; r < RUNS; r++)); do
    eval "$setup"
    timed "$@"
    if [[ -z "$best_s" ]] || awk -v a="$SECONDS_TAKEN" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
      best_s=$SECONDS_TAKEN
    fi
    ((RSS_MB > best_rss)) && best_rss=$RSS_MB
  done
  SECONDS_TAKEN=$best_s
  RSS_MB=$best_rss
}

dvt=("$DVT" --profiles-dir "$WORK" -q)
rows_per_s() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

ch --query "CREATE DATABASE IF NOT EXISTS $DB"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
table="| rows | operation | seconds | rows/s | ratio to raw tool | peak RSS (MB) |
|---:|---|---:|---:|---:|---:|"

for n in "${SIZES[@]}"; do
  t="t_$n"
  echo "== $n rows: building $DB.$t" >&2
  for suffix in "" _tsv _load _swap _pipe _copy; do ch --query "DROP TABLE IF EXISTS $DB.$t$suffix"; done
  ch --query "CREATE TABLE $DB.$t (id UInt64, qty Int32, name String, amount Decimal(12, 2), created DateTime,
      active UInt8, score Float64, note Nullable(String)) ENGINE = MergeTree ORDER BY id"
  ch --query "INSERT INTO $DB.$t SELECT number, toInt32(number % 100000), concat('customer ', toString(number)),
      toDecimal64(number % 1000000 / 7, 2), toDateTime('2020-01-01 00:00:00') + number, number % 3 = 0,
      number / 13, if(number % 4 = 0, NULL, concat('note ', toString(number % 997))) FROM numbers($n)"
  ch --query "CREATE TABLE $DB.${t}_tsv AS $DB.$t"
  ch --query "SELECT * FROM $DB.$t FORMAT TSV" >"$WORK/t.tsv"

  best settle sh -c "$(printf '%q ' "${client[@]}") --config-file='$WORK/client.xml' --query 'SELECT * FROM $DB.$t FORMAT Native' > /dev/null"
  raw_out=$SECONDS_TAKEN
  table+=$'\n'"| $n | clickhouse-client SELECT ... FORMAT Native > /dev/null | $raw_out | $(rows_per_s "$n" "$raw_out") | 1.00 | - |"

  for method in native pipe; do
    best settle "${dvt[@]}" extract "ch:$t" --staging-dir "$WORK" --name "t_$method" --method "$method"
    table+=$'\n'"| $n | dvt extract --method $method (zstd Parquet) | $SECONDS_TAKEN | $(rows_per_s "$n" "$SECONDS_TAKEN") | $(ratio "$SECONDS_TAKEN" "$raw_out") | $RSS_MB |"
  done

  rm -f "$WORK/floor.duckdb"
  "${dvt[@]}" copy "ch:$t" "duck:$t"
  best settle "${dvt[@]}" extract "duck:$t" --staging-dir "$WORK" --name t_floor
  table+=$'\n'"| $n | writer floor: dvt extract from a local DuckDB file of the same rows (zstd Parquet) | $SECONDS_TAKEN | $(rows_per_s "$n" "$SECONDS_TAKEN") | $(ratio "$SECONDS_TAKEN" "$raw_out") | $RSS_MB |"
  rm -f "$WORK/floor.duckdb" "$WORK/t_floor.parquet"

  best "ch --query 'TRUNCATE TABLE $DB.${t}_tsv'; settle" \
    sh -c "$(printf '%q ' "${client[@]}") --config-file='$WORK/client.xml' --query 'INSERT INTO $DB.${t}_tsv FORMAT TSV' < '$WORK/t.tsv'"
  raw_in=$SECONDS_TAKEN
  table+=$'\n'"| $n | clickhouse-client INSERT ... FORMAT TSV < file | $raw_in | $(rows_per_s "$n" "$raw_in") | 1.00 | - |"

  best "ch --query 'DROP TABLE IF EXISTS $DB.${t}_load'; settle" "${dvt[@]}" load "$WORK/t_native.parquet" "ch:${t}_load" --method native
  table+=$'\n'"| $n | dvt load (native, new table) | $SECONDS_TAKEN | $(rows_per_s "$n" "$SECONDS_TAKEN") | $(ratio "$SECONDS_TAKEN" "$raw_in") | $RSS_MB |"
  # Overwriting a table of the source's DDL (what the raw INSERT loads into;
  # a table dvt creates from the file gets the NOT NULL columns and the key its
  # metadata records).
  ch --query "CREATE TABLE $DB.${t}_swap AS $DB.$t"
  best settle "${dvt[@]}" load "$WORK/t_native.parquet" "ch:${t}_swap" --method native
  table+=$'\n'"| $n | dvt load (native, existing table: staging table + swap) | $SECONDS_TAKEN | $(rows_per_s "$n" "$SECONDS_TAKEN") | $(ratio "$SECONDS_TAKEN" "$raw_in") | $RSS_MB |"
  best "ch --query 'DROP TABLE IF EXISTS $DB.${t}_pipe'; settle" "${dvt[@]}" load "$WORK/t_native.parquet" "ch:${t}_pipe" --method pipe
  table+=$'\n'"| $n | dvt load (pipe, new table) | $SECONDS_TAKEN | $(rows_per_s "$n" "$SECONDS_TAKEN") | $(ratio "$SECONDS_TAKEN" "$raw_in") | $RSS_MB |"

  best "ch --query 'DROP TABLE IF EXISTS $DB.${t}_copy'; settle" "${dvt[@]}" copy "ch:$t" "ch:${t}_copy"
  table+=$'\n'"| $n | dvt copy CH -> CH (native) | $SECONDS_TAKEN | $(rows_per_s "$n" "$SECONDS_TAKEN") | $(ratio "$SECONDS_TAKEN" "$raw_out") | $RSS_MB |"

  counts=$(ch --query "SELECT concat(toString((SELECT count() FROM $DB.${t}_load)), ' ',
      toString((SELECT count() FROM $DB.${t}_swap)), ' ', toString((SELECT count() FROM $DB.${t}_pipe)), ' ',
      toString((SELECT count() FROM $DB.${t}_copy)))")
  [[ "$counts" == "$n $n $n $n" ]] || { echo "bench: row counts differ after load/copy: $counts (expected $n)" >&2; exit 1; }
  for suffix in "" _tsv _load _swap _pipe _copy; do ch --query "DROP TABLE IF EXISTS $DB.$t$suffix"; done
  rm -f "$WORK"/*.parquet "$WORK/t.tsv"
  echo "$table" | tail -n 9 >&2
done

version=$(ch --query "SELECT version()")
machine="$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), ClickHouse $version, $(date -u +%Y-%m-%d), load average $load_start at the start and $(cut -d' ' -f1-3 /proc/loadavg) at the end"
section="## ClickHouse

Generated by \`bench/clickhouse.sh\` ($machine), fastest of $RUNS runs each. \"ratio to raw tool\": extract and
copy against clickhouse-client's Native SELECT to /dev/null, load against its TSV
INSERT from a file. Peak RSS is the whole dvt process (/usr/bin/time -v; with
--method pipe, the larger of dvt and its clickhouse-client child), largest of
the runs. Extraction writes zstd Parquet; loads send Native. Every timed run
starts with no merge running in the bench database. The \"writer floor\" row
writes the same rows to the same Parquet from a local DuckDB file, with no
server running a query and nothing to decode: any extraction to zstd Parquet
does at least this work on the same two cores. (Its peak RSS grows with the
rows because DuckDB's buffer pool keeps the blocks of a database file it has
read, up to dvt's memory limit.)

$table
"
readme="$root/bench/README.md"
[[ -f "$readme" ]] || printf '# Benchmarks\n\nEach section is written by its script in bench/.\n' >"$readme"
# Replace the ClickHouse section (up to the next "## " heading), or append it.
awk -v section="$section" '
  /^## / { if (skip) skip = 0; if ($0 == "## ClickHouse") { print section; skip = 1; done = 1; next } }
  !skip { print }
  END { if (!done) { print ""; print section } }
' "$readme" >"$readme.tmp"
mv "$readme.tmp" "$readme"
ch --query "DROP DATABASE IF EXISTS $DB"
echo "bench: wrote the ClickHouse section of $readme" >&2
