#!/usr/bin/env bash
# Embedded default: SQLite -> Parquet (dvt extract) against the sqlite3 CLI
# dumping the same rows as CSV, and Parquet -> SQLite / DuckDB (dvt load), at
# several sizes. Prints a Markdown table (seconds, rows/s, ratio, peak RSS).
#   bench/sqlite.sh [ROWS ...]      default: 500000 5000000
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dvt="${BUILD_DIR:-$root/build}/dvt"
sizes=("$@")
((${#sizes[@]})) || sizes=(500000 5000000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs a command; prints "<seconds> <peak RSS KiB>".
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  cat "$work/time"
}

cat >"$work/profiles.yml" <<YAML
bench:
  outputs:
    lite: {type: sqlite, path: $work/src.db}
    dest: {type: sqlite, path: $work/dest.db}
    wh: {type: duckdb, path: $work/wh.duckdb}
YAML

echo "| rows | operation | seconds | rows/s | ratio to raw | peak RSS (MiB) |"
echo "|---:|---|---:|---:|---:|---:|"
for rows in "${sizes[@]}"; do
  rm -f "$work"/src.db "$work"/dest.db "$work"/wh.duckdb
  sqlite3 "$work/src.db" "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(12,2),
    ts TIMESTAMP, flag BOOLEAN, ratio REAL, note TEXT);
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $rows)
    INSERT INTO t SELECT i, 'name-' || i || ' ünï', printf('%d.%02d', i % 100000, i % 100),
      datetime(1700000000 + i, 'unixepoch'), i % 2, i * 0.5, CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' || i END FROM c;"
  read -r raw_s _ < <(measure sqlite3 -csv "$work/src.db" "SELECT * FROM t")
  row() {  # label seconds rss raw
    awk -v r="$rows" -v l="$1" -v s="$2" -v m="$3" -v raw="$4" 'BEGIN {
      printf "| %d | %s | %.2f | %.0f | %s | %.0f |\n", r, l, s, r / (s > 0 ? s : 0.001),
        (raw > 0 ? sprintf("%.2fx", s / raw) : "-"), m / 1024 }'
  }
  row "sqlite3 -csv SELECT * (raw)" "$raw_s" 0 0
  read -r s m < <(measure "$dvt" -q --profiles-dir "$work" extract lite:t --staging-dir "$work/staging")
  row "dvt extract SQLite -> Parquet" "$s" "$m" "$raw_s"
  read -r s m < <(measure "$dvt" -q --profiles-dir "$work" load "$work/staging/t.parquet" dest:t)
  row "dvt load Parquet -> SQLite" "$s" "$m" 0
  read -r s m < <(measure "$dvt" -q --profiles-dir "$work" load "$work/staging/t.parquet" wh:t)
  row "dvt load Parquet -> DuckDB" "$s" "$m" 0
done
