#!/usr/bin/env bash
# Benchmarks dvt against MySQL/MariaDB's own bulk tools, on the test server:
#
#   extraction: `mariadb --batch --quick -e "SELECT * FROM t" > /dev/null`
#               vs `dvt extract` (table -> zstd Parquet), native and pipe tiers
#   loading:    `LOAD DATA LOCAL INFILE 'file.tsv'` (the client, from a file)
#               vs `dvt load` (Parquet -> table), native and pipe tiers
#
# with wall-clock ratios (median of RUNS runs, interleaved, each tool taking
# each place in the order in turn) and peak RSS.
# The Markdown table replaces the "MySQL / MariaDB" section of bench/README.md.
#
#   bench/mysql.sh [ROWS ...]        default: 1000000 10000000
#
# Environment: DVT (default build/dvt), RUNS (default 3), the DVT_TEST_MYSQL_*
# variables of scripts/services (read from services.env when unset).
# Tables bench_my_<rows> are built once (MariaDB's sequence engine) and kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dvt=${DVT:-$root/build/dvt}
runs=${RUNS:-3}
rows_list=("$@")
((${#rows_list[@]})) || rows_list=(1000000 10000000)

env_file=${DVT_SERVICES_DIR:-/tmp/dvt-services}/services.env
if [[ -z "${DVT_TEST_MYSQL_HOST:-}" && -f "$env_file" ]]; then
  # shellcheck disable=SC1090
  source "$env_file"
fi
: "${DVT_TEST_MYSQL_HOST:?no MariaDB server: scripts/services start mysql}"
[[ -x "$dvt" ]] || { echo "no dvt binary at $dvt (set DVT=...)" >&2; exit 1; }
client=$(command -v mariadb || command -v mysql) || { echo "no mariadb/mysql client" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/dvt-bench-mysql.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Credentials in 0600 files only, never on a command line.
(
  umask 077
  cat >"$work/client.cnf" <<EOF
[client]
user=$DVT_TEST_MYSQL_USER
password=$DVT_TEST_MYSQL_PASSWORD
host=$DVT_TEST_MYSQL_HOST
port=$DVT_TEST_MYSQL_PORT
database=$DVT_TEST_MYSQL_DB
EOF
  cat >"$work/profiles.yml" <<EOF
bench:
  target: my
  outputs:
    my:
      type: mysql
      host: $DVT_TEST_MYSQL_HOST
      port: $DVT_TEST_MYSQL_PORT
      user: $DVT_TEST_MYSQL_USER
      password: "{{ env_var('DVT_TEST_MYSQL_PASSWORD') }}"
      database: $DVT_TEST_MYSQL_DB
EOF
)
export DVT_TEST_MYSQL_PASSWORD
my() { "$client" --defaults-file="$work/client.cnf" --batch --skip-column-names "$@"; }

# shellcheck source=bench/measure.sh
source "$root/bench/measure.sh"

ensure_table() {
  local table=$1 rows=$2
  local have
  have=$(my -e "SELECT TABLE_ROWS IS NOT NULL FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$table'" || true)
  if [[ "$have" == 1 && "$(my -e "SELECT COUNT(*) FROM \`$table\`")" == "$rows" ]]; then return; fi
  echo "building $table ($rows rows)..." >&2
  my -e "DROP TABLE IF EXISTS \`$table\`;
    CREATE TABLE \`$table\` (id BIGINT NOT NULL PRIMARY KEY, i INT NOT NULL, d DECIMAL(12,2) NOT NULL,
      f DOUBLE NOT NULL, s VARCHAR(64) NOT NULL, t DATETIME(6) NOT NULL, dt DATE NOT NULL,
      b TINYINT(1) NOT NULL) ENGINE=InnoDB;
    INSERT INTO \`$table\` SELECT seq, seq * 7 % 1000003, (seq % 1000000) / 100, seq / 3.0e0,
      CONCAT('name-', seq, '-', LEFT(MD5(seq), 16)),
      TIMESTAMP'2020-01-01 00:00:00' + INTERVAL seq SECOND + INTERVAL (seq % 1000) MICROSECOND,
      DATE'2000-01-01' + INTERVAL (seq % 9000) DAY, seq % 2 FROM seq_1_to_$rows;"
}

# The machine is shared: the load average goes into the report beside the numbers.
uptime_load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(uptime_load)
markdown="| rows | operation | raw client | dvt native | ratio | dvt pipe | ratio | peak RSS raw / native / pipe |
|---:|---|---:|---:|---:|---:|---:|---|"
for rows in "${rows_list[@]}"; do
  table=bench_my_$rows
  ensure_table "$table" "$rows"
  # The file LOAD DATA reads: the client's own tab format (no NULLs here).
  my --quick -e "SELECT * FROM \`$table\`" >"$work/$table.tsv"
  my -e "DROP TABLE IF EXISTS \`${table}_raw\`, \`${table}_dvt\`;
    CREATE TABLE \`${table}_raw\` LIKE \`$table\`; CREATE TABLE \`${table}_dvt\` LIKE \`$table\`"
  rm -f "$work"/x_* "$work"/l_*
  # step NAME: one measured step (x_ extraction, l_ load) of one tool.
  step() {
    case $1 in
      x_raw) measure x_raw "$client" --defaults-file="$work/client.cnf" --batch --quick \
        -e "SELECT * FROM \`$table\`" ;;
      x_native) measure x_native "$dvt" --profiles-dir "$work" -q extract "my:$table" \
        --staging-dir "$work" --method native ;;
      x_pipe) measure x_pipe "$dvt" --profiles-dir "$work" -q extract "my:$table" \
        --staging-dir "$work" --name pipe_copy --method pipe ;;
      l_raw)
        my -e "TRUNCATE \`${table}_raw\`"
        measure l_raw "$client" --defaults-file="$work/client.cnf" --local-infile=1 -e \
          "LOAD DATA LOCAL INFILE '$work/$table.tsv' INTO TABLE \`${table}_raw\`" ;;
      l_native) measure l_native "$dvt" --profiles-dir "$work" -q load "$work/$table.parquet" \
        "my:${table}_dvt" --method native ;;
      l_pipe) measure l_pipe "$dvt" --profiles-dir "$work" -q load "$work/$table.parquet" \
        "my:${table}_dvt" --method pipe ;;
    esac
  }
  # The loads read the Parquet file the native extraction writes.
  step x_native
  rm -f "$work/x_native"
  tools=(raw native pipe)
  for ((run = 1; run <= runs; ++run)); do
    # Each tool takes each place in the order in turn, so none always runs
    # right after another's load (the server still flushing its pages) or
    # always first.
    order=()
    for ((i = 0; i < ${#tools[@]}; ++i)); do order+=("${tools[(run - 1 + i) % ${#tools[@]}]}"); done
    for tool in "${order[@]}"; do step "x_$tool"; done
    for tool in "${order[@]}"; do step "l_$tool"; done
  done
  [[ "$(my -e "SELECT COUNT(*) FROM \`${table}_dvt\`")" == "$rows" ]] || { echo "row count mismatch" >&2; exit 1; }
  for op in x l; do
    raw=$(median_seconds ${op}_raw)
    native=$(median_seconds ${op}_native)
    pipe=$(median_seconds ${op}_pipe)
    label=$([[ $op == x ]] && echo "extract (table -> Parquet)" || echo "load (Parquet -> table)")
    line=$(printf "| %s | %s | %.2f s | %.2f s | %.2fx | %.2f s | %.2fx | %s / %s / %s MB |" \
      "$rows" "$label" "$raw" "$native" "$(echo "$native / $raw" | bc -l)" "$pipe" \
      "$(echo "$pipe / $raw" | bc -l)" "$(max_rss_mb ${op}_raw)" "$(max_rss_mb ${op}_native)" \
      "$(max_rss_mb ${op}_pipe)")
    echo "$line" >&2
    markdown+=$'\n'"$line"
  done
  my -e "DROP TABLE IF EXISTS \`${table}_raw\`, \`${table}_dvt\`"
  rm -f "$work/$table.tsv" "$work"/*.parquet
done

load_after=$(uptime_load)
server=$(my -e "SELECT VERSION()")
machine="$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), server $server on the same machine, $(date -u +%Y-%m-%d)"
section="## MySQL / MariaDB

Generated by \`bench/mysql.sh\` ($machine), median of $runs interleaved runs (each tool
takes each place in the order in turn; an unmeasured native extraction first writes the
Parquet file the loads read). Load average (1, 5, 15 min) at start / end: $load_before / $load_after.
Extraction: \`$(basename "$client") --batch --quick -e \"SELECT * FROM t\" > /dev/null\` against
\`dvt extract\` (table -> zstd Parquet). Load: the client's \`LOAD DATA LOCAL INFILE\` from a
tab-separated file against \`dvt load\` (Parquet -> the same table definition, default
overwrite: shadow table + RENAME swap). 8 columns: BIGINT key, INT, DECIMAL(12,2), DOUBLE,
VARCHAR(64), DATETIME(6), DATE, TINYINT(1). Peak RSS: the whole process, largest of the runs.
Targets (issue 4): native extraction within 1.25x of the raw client, load within 1.25x of
LOAD DATA from a file, peak RSS at most 100 MB and flat from 1M to 10M rows.
At 1M rows fixed costs weigh: dvt spends about 0.1-0.15 s the client does not (loading
libduckdb and building DuckDB's catalog of built-in functions, about 0.05 s of it; the
engine, the catalog queries, the fsync and rename of the Parquet file), a tenth of a
1M-row extraction. The machine is shared with other work, so single runs vary by 30%.

$markdown
"
readme="$root/bench/README.md"
[[ -f "$readme" ]] || printf '# Benchmarks\n\nEach section is written by its script in bench/.\n' >"$readme"
# Replace the MySQL section (up to the next "## " heading), or append it.
awk -v section="$section" '
  /^## / { if (skip) skip = 0; if ($0 == "## MySQL / MariaDB") { print section; skip = 1; done = 1; next } }
  !skip { print }
  END { if (!done) { print ""; print section } }
' "$readme" >"$readme.tmp"
mv "$readme.tmp" "$readme"
echo "bench: wrote the MySQL / MariaDB section of $readme" >&2
