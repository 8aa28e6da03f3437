#!/usr/bin/env bash
# PostgreSQL benchmark: dvt against psql itself, on tables of 1K to 10M rows
# (8 columns: bigint id, int, text, numeric(12,2), timestamptz, boolean,
# double, nullable text), all in the same run:
#
#   raw COPY out   psql -c "COPY t TO STDOUT (FORMAT binary)" > /dev/null
#   extract        dvt extract, native and pipe (zstd Parquet)
#   raw COPY in    psql -c "COPY t2 FROM STDIN (FORMAT csv)" < t.csv
#   load           dvt load of the extracted Parquet (native)
#   copy           dvt copy PG -> PG (native, no staging file)
#
# Wall seconds and peak RSS come from /usr/bin/time -v. Each operation runs
# REPEAT times (default 3) and the fastest run counts (peak RSS: the largest
# of all runs), which keeps a busy shared machine from deciding the result.
# The Markdown table replaces the "PostgreSQL" section of bench/README.md.
#
#   bench/postgres.sh [SIZES...]      default: 1000 100000 1000000 10000000
#
# Starts no server. Connection: DVT_TEST_PG_* (scripts/services start pg;
# source $DVT_SERVICES_DIR/services.env) or PGHOST/PGPORT/PGUSER/PGPASSWORD/
# PGDATABASE. DVT: the dvt binary (default build/dvt). WORK: scratch folder.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z "${DVT_TEST_PG_HOST:-}" && -f "${DVT_SERVICES_DIR:-/tmp/dvt-services}/services.env" ]]; then
  # shellcheck source=/dev/null
  source "${DVT_SERVICES_DIR:-/tmp/dvt-services}/services.env"
fi
export PGHOST=${DVT_TEST_PG_HOST:-${PGHOST:-127.0.0.1}}
export PGPORT=${DVT_TEST_PG_PORT:-${PGPORT:-5432}}
export PGUSER=${DVT_TEST_PG_USER:-${PGUSER:-postgres}}
export PGPASSWORD=${DVT_TEST_PG_PASSWORD:-${PGPASSWORD:-}}
export PGDATABASE=${DVT_TEST_PG_DB:-${PGDATABASE:-postgres}}
DVT=${DVT:-$root/build/dvt}
# A scratch folder the script makes is removed whole at the end; a WORK given
# to it keeps everything but the data files.
own_work=0
if [[ -z "${WORK:-}" ]]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/dvt-bench-pg.XXXXXX")
  own_work=1
fi
SIZES=("$@")
((${#SIZES[@]})) || SIZES=(1000 100000 1000000 10000000)
SCHEMA=dvt_bench
REPEAT=${REPEAT:-3}

[[ -x "$DVT" ]] || { echo "bench: no dvt binary at $DVT (build it, or set DVT=)" >&2; exit 1; }
command -v psql >/dev/null || { echo "bench: psql not found (apt-get install postgresql-client)" >&2; exit 1; }
mkdir -p "$WORK"
trap 'rm -rf "$WORK"/*.parquet "$WORK"/*.csv "$WORK"/staging; if ((own_work)); then rm -rf "$WORK"; fi' EXIT

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# The password reaches dvt through the environment only.
export DVT_BENCH_PASSWORD="$PGPASSWORD"
cat >"$WORK/profiles.yml" <<EOF
bench:
  target: pg
  outputs:
    pg:
      type: postgres
      host: $PGHOST
      port: $PGPORT
      user: $PGUSER
      password: "{{ env_var('DVT_BENCH_PASSWORD') }}"
      dbname: $PGDATABASE
      schema: $SCHEMA
EOF
chmod 600 "$WORK/profiles.yml"

# Runs "$@" REPEAT times under /usr/bin/time -v, after $BEFORE (untimed) each
# time; sets SECONDS_TAKEN (fastest run) and RSS_MB (largest peak RSS).
BEFORE=true
timed() {
  local log="$WORK/time.log" run seconds rss
  SECONDS_TAKEN= RSS_MB=0
  for ((run = 0; run < REPEAT; run++)); do
    eval "$BEFORE"
    /usr/bin/time -v -o "$log" "$@"
    seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$log")
    if [[ -z "$SECONDS_TAKEN" ]] || awk -v a="$seconds" -v b="$SECONDS_TAKEN" 'BEGIN { exit !(a < b) }'; then
      SECONDS_TAKEN=$seconds
    fi
    ((rss > RSS_MB)) && RSS_MB=$rss
  done
  BEFORE=true
}

dvt=("$DVT" --profiles-dir "$WORK" -q)

rows_per_s() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

psql_q -c "CREATE SCHEMA IF NOT EXISTS $SCHEMA"
# The machine is shared: the load average goes into the report beside the numbers.
uptime_load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(uptime_load)
table="| rows | operation | seconds | rows/s | ratio to raw tool | dvt peak RSS (MB) |
|---:|---|---:|---:|---:|---:|"

for n in "${SIZES[@]}"; do
  t="$SCHEMA.t_$n"
  echo "== $n rows: building $t" >&2
  psql_q <<SQL
DROP TABLE IF EXISTS $t, ${t}_load, ${t}_csv, ${t}_copy;
CREATE TABLE $t (id bigint PRIMARY KEY, qty int, name text, amount numeric(12,2), created timestamptz,
                 active boolean, score double precision, note text);
INSERT INTO $t SELECT g, (g % 100000)::int, 'customer ' || g, round((g % 1000000) / 7.0, 2),
  timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second', g % 3 = 0, g / 13.0,
  CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || (g % 997) END
FROM generate_series(1, $n) g;
VACUUM ANALYZE $t;
-- The raw COPY loads into the source's DDL, primary key included: the same
-- table dvt's loads write into (dvt load --full-refresh creates it from the
-- staging file's metadata, key included, and the next loads reuse it).
CREATE TABLE ${t}_csv (LIKE $t INCLUDING ALL);
SQL
  psql_q -c "COPY $t TO STDOUT (FORMAT csv)" >"$WORK/t.csv"

  timed sh -c "psql -X -q -c 'COPY $t TO STDOUT (FORMAT binary)' > /dev/null"
  raw_out=$SECONDS_TAKEN
  table+=$'\n'"| $n | psql COPY TO STDOUT (binary) > /dev/null | $raw_out | $(rows_per_s "$n" "$raw_out") | 1.00 | - |"

  for method in native pipe; do
    timed "${dvt[@]}" extract "pg:$t" --staging-dir "$WORK" --name "t_$method" --method "$method"
    table+=$'\n'"| $n | dvt extract --method $method (zstd Parquet) | $SECONDS_TAKEN | $(rows_per_s "$n" "$SECONDS_TAKEN") | $(ratio "$SECONDS_TAKEN" "$raw_out") | $RSS_MB |"
  done

  BEFORE="psql_q -c 'TRUNCATE ${t}_csv'"
  timed sh -c "psql -X -q -c 'COPY ${t}_csv FROM STDIN (FORMAT csv)' < '$WORK/t.csv'"
  raw_in=$SECONDS_TAKEN
  table+=$'\n'"| $n | psql COPY FROM STDIN (csv) < file | $raw_in | $(rows_per_s "$n" "$raw_in") | 1.00 | - |"

  timed "${dvt[@]}" load "$WORK/t_native.parquet" "pg:${t}_load" --method native --full-refresh
  table+=$'\n'"| $n | dvt load --full-refresh (native: DROP, CREATE, COPY) | $SECONDS_TAKEN | $(rows_per_s "$n" "$SECONDS_TAKEN") | $(ratio "$SECONDS_TAKEN" "$raw_in") | $RSS_MB |"
  timed "${dvt[@]}" load "$WORK/t_native.parquet" "pg:${t}_load" --method native
  table+=$'\n'"| $n | dvt load (native: TRUNCATE, COPY) | $SECONDS_TAKEN | $(rows_per_s "$n" "$SECONDS_TAKEN") | $(ratio "$SECONDS_TAKEN" "$raw_in") | $RSS_MB |"
  timed "${dvt[@]}" load "$WORK/t_native.parquet" "pg:${t}_load" --method pipe
  table+=$'\n'"| $n | dvt load (pipe: psql, TRUNCATE, COPY text) | $SECONDS_TAKEN | $(rows_per_s "$n" "$SECONDS_TAKEN") | $(ratio "$SECONDS_TAKEN" "$raw_in") | $RSS_MB |"

  timed "${dvt[@]}" copy "pg:$t" "pg:${t}_copy" --full-refresh
  table+=$'\n'"| $n | dvt copy PG -> PG | $SECONDS_TAKEN | $(rows_per_s "$n" "$SECONDS_TAKEN") | $(ratio "$SECONDS_TAKEN" "$raw_out") | $RSS_MB |"

  rows=$(psql_q -At -c "SELECT (SELECT count(*) FROM ${t}_load) || ' ' || (SELECT count(*) FROM ${t}_copy)")
  [[ "$rows" == "$n $n" ]] || { echo "bench: row counts differ after load/copy: $rows (expected $n)" >&2; exit 1; }
  psql_q -c "DROP TABLE $t, ${t}_load, ${t}_csv, ${t}_copy"
  rm -f "$WORK"/*.parquet "$WORK/t.csv"
  echo "$table" | tail -n 8 >&2
done

load_after=$(uptime_load)
machine="$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(psql_q -At -c 'SHOW server_version' | cut -d' ' -f1) PostgreSQL, $(date -u +%Y-%m-%d)"
section="## PostgreSQL

Generated by \`bench/postgres.sh\` ($machine), fastest of $REPEAT runs each.
\"ratio to raw tool\": extract and copy against psql's binary COPY TO /dev/null,
load against psql's CSV COPY FROM a file into a table of the source's DDL,
primary key included (dvt's loads write into the table \`--full-refresh\`
created from the staging file, with the same key). Peak RSS: the whole dvt process
(/usr/bin/time -v), largest of the runs. Extraction writes zstd Parquet.
Load average (1, 5, 15 min) at start / end: $load_before / $load_after.

$table
"
readme="$root/bench/README.md"
[[ -f "$readme" ]] || printf '# Benchmarks\n\nEach section is written by its script in bench/.\n' >"$readme"
# Replace the PostgreSQL section (up to the next "## " heading), or append it.
awk -v section="$section" '
  /^## / { if (skip) skip = 0; if ($0 == "## PostgreSQL") { print section; skip = 1; done = 1; next } }
  !skip { print }
  END { if (!done) { print ""; print section } }
' "$readme" >"$readme.tmp"
mv "$readme.tmp" "$readme"
psql_q -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE"
echo "bench: wrote the PostgreSQL section of $readme" >&2
