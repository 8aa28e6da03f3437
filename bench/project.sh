#!/usr/bin/env bash
# Project benchmark: `dvt run` of a generated 24-model project (3 staging
# views over 3 seeds of ROWS rows each, a chain of 7 tables, a fan-out of 7
# aggregates and 7 joins) on DuckDB and on PostgreSQL, wall time end to end,
# against `dbt run` of the same project (dbt-core 1.8 with dbt-duckdb and
# dbt-postgres, installed by this script into .deps/dbt-venv from PyPI) in
# the same run, both with 2 threads; then `dvt compile` of a generated
# 500-model project against `dbt compile`. Seeds are loaded once per tool
# (untimed); every timed run rebuilds all 24 models. Fastest of REPEAT
# (default 3). Writes the "Projects" section of bench/README.md.
#
#   bench/project.sh [ROWS]      default 10000
#
# PostgreSQL: DVT_TEST_PG_* (scripts/services start; source
# $DVT_SERVICES_DIR/services.env). DVT: the binary (build/dvt). NO_DBT=1
# measures dvt alone.
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
DVT=${DVT:-$root/build/dvt}
[[ -x "$DVT" ]] || { echo "bench: no dvt binary at $DVT (set DVT=)" >&2; exit 1; }
rows=${1:-10000}
work=$(mktemp -d "${TMPDIR:-/tmp}/dvt-bench-project.XXXXXX")
schema=dvt_bench_project_$$
export PGHOST=$DVT_TEST_PG_HOST PGPORT=$DVT_TEST_PG_PORT PGUSER=$DVT_TEST_PG_USER \
  PGPASSWORD=$DVT_TEST_PG_PASSWORD PGDATABASE=$DVT_TEST_PG_DB
cleanup() {
  psql -qX -c "DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_dbt CASCADE" \
    >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

dbt=""
if [[ -z "${NO_DBT:-}" ]]; then
  venv=$root/.deps/dbt-venv
  if [[ ! -x "$venv/bin/dbt" ]]; then
    echo "bench: installing dbt-core 1.8.9, dbt-duckdb 1.8.4, dbt-postgres 1.8.2 into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "dbt-core==1.8.9" "dbt-duckdb==1.8.4" "dbt-postgres==1.8.2" "duckdb==1.4.4"
  fi
  dbt=$venv/bin/dbt
fi

# --- the 24-model project -----------------------------------------------------
make_project() {
  local dir=$1
  mkdir -p "$dir/seeds" "$dir/models/staging" "$dir/models/chain" "$dir/models/fan" "$dir/models/joins"
  cat >"$dir/dbt_project.yml" <<'YAML'
name: bench
version: "1.0.0"
profile: bench
models:
  bench:
    +materialized: table
    staging:
      +materialized: view
seeds:
  bench:
    +quote_columns: false
YAML
  awk -v n="$rows" 'BEGIN { print "id,name,country,signed_up";
    for (i = 1; i <= n; i++) printf "%d,customer %d,%s,2024-%02d-%02d\n", i, i,
      substr("DEPLNOCNUSFR", 1 + 2 * (i % 6), 2), 1 + i % 12, 1 + i % 28 }' >"$dir/seeds/customers.csv"
  awk -v n="$rows" 'BEGIN { print "id,customer_id,amount,status";
    for (i = 1; i <= n; i++) printf "%d,%d,%d.%02d,%s\n", i, 1 + (i * 7919) % n, i % 500, i % 100,
      (i % 4 == 0 ? "returned" : "shipped") }' >"$dir/seeds/orders.csv"
  awk -v n="$rows" 'BEGIN { print "id,order_id,method,paid";
    for (i = 1; i <= n; i++) printf "%d,%d,%s,%d\n", i, 1 + (i * 31) % n,
      (i % 3 == 0 ? "card" : "cash"), i % 700 }' >"$dir/seeds/payments.csv"
  for s in customers orders payments; do
    echo "select * from {{ ref('$s') }}" >"$dir/models/staging/stg_$s.sql"
  done
  echo "select id, customer_id, amount * 2 as amount, status from {{ ref('stg_orders') }}" \
    >"$dir/models/chain/chain_1.sql"
  for i in 2 3 4 5 6 7; do
    echo "select id, customer_id, amount + $i as amount, status from {{ ref('chain_$((i - 1))') }} where id % $((i + 1)) <> 0" \
      >"$dir/models/chain/chain_$i.sql"
  done
  local keys=(country status method customer_id order_id name signed_up)
  local from=(stg_customers stg_orders stg_payments stg_orders stg_payments stg_customers stg_customers)
  for i in 0 1 2 3 4 5 6; do
    echo "select ${keys[$i]} as k, count(*) as n from {{ ref('${from[$i]}') }} group by ${keys[$i]}" \
      >"$dir/models/fan/fan_$((i + 1)).sql"
  done
  for i in 1 2 3 4 5 6 7; do
    cat >"$dir/models/joins/join_$i.sql" <<SQL
select c.country, o.status, count(*) as orders, sum(o.amount) as amount, sum(p.paid) as paid
from {{ ref('stg_customers') }} c
join {{ ref('stg_orders') }} o on o.customer_id = c.id
left join {{ ref('stg_payments') }} p on p.order_id = o.id
where o.id % $i = 0
group by c.country, o.status
SQL
  done
}

# --- the 500-model project (compile only) -------------------------------------
make_big_project() {
  local dir=$1
  mkdir -p "$dir/models" "$dir/macros"
  printf 'name: big\nversion: "1.0.0"\nprofile: bench\nmodels:\n  big:\n    +materialized: view\n' \
    >"$dir/dbt_project.yml"
  cat >"$dir/macros/cents.sql" <<'SQL'
{% macro cents(column) %}round({{ column }} * 100){% endmacro %}
SQL
  echo "select 1 as id, 2.5 as amount" >"$dir/models/m_1.sql"
  for ((i = 2; i <= 500; i++)); do
    cat >"$dir/models/m_$i.sql" <<SQL
{{ config(tags=['t$((i % 10))']) }}
select id, {{ cents('amount') }} as amount
{% for c in ['a', 'b', 'c'] %}, '{{ c }}' as col_{{ c }}_{{ loop.index }}{% endfor %}
from {{ ref('m_$((i / 2))') }}
{% if var('filter', false) %}where id > 0{% endif %}
SQL
  done
}

duck_profile() { # dir db_file
  printf 'bench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: %s\n      threads: 2\n' \
    "$2" >"$1/profiles.yml"
}
pg_profile() { # dir schema
  printf 'bench:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: %s\n      port: %s\n      user: %s\n      password: "%s"\n      dbname: %s\n      schema: %s\n      threads: 2\n' \
    "$PGHOST" "$PGPORT" "$PGUSER" "$PGPASSWORD" "$PGDATABASE" "$2" >"$1/profiles.yml"
}

results=()
measure() { # label database tool dir
  local label=$1 dir=$4 tool=$3
  (cd "$dir" && "$tool" seed --profiles-dir . >"$dir/seed.log" 2>&1) ||
    { cat "$dir/seed.log" >&2; echo "bench: $label: the seeds did not load" >&2; exit 1; }
  REPEAT=${REPEAT:-3} timed bash -c "cd '$dir' && '$tool' run --profiles-dir . >'$dir/run.log' 2>&1"
  grep -q "PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24" "$dir/run.log" ||
    { cat "$dir/run.log" >&2; echo "bench: $label did not build all 24 models" >&2; exit 1; }
  results+=("$label|$SECONDS_TAKEN|$RSS_MB")
  echo "bench: $label: ${SECONDS_TAKEN} s, peak RSS ${RSS_MB} MB" >&2
}

for database in duckdb postgres; do
  for tool in dvt dbt; do
    [[ $tool == dbt && -z "$dbt" ]] && continue
    dir=$work/$database-$tool
    make_project "$dir"
    if [[ $database == duckdb ]]; then
      duck_profile "$dir" "$dir/bench.duckdb"
    else
      pg_profile "$dir" "${schema}$([[ $tool == dbt ]] && echo _dbt)"
    fi
    binary=$DVT
    [[ $tool == dbt ]] && binary=$dbt
    measure "$tool run, $database" "$database" "$binary" "$dir"
  done
done

big=$work/big
make_big_project "$big"
duck_profile "$big" "$big/big.duckdb"
REPEAT=${REPEAT:-3} timed bash -c "cd '$big' && '$DVT' compile --profiles-dir . >/dev/null"
compile_dvt=$SECONDS_TAKEN
[[ -f "$big/target/compiled/big/models/m_500.sql" ]] || { echo "bench: dvt compile wrote no m_500" >&2; exit 1; }
compile_dbt=-
if [[ -n "$dbt" ]]; then
  REPEAT=${REPEAT:-3} timed bash -c "cd '$big' && '$dbt' compile --profiles-dir . >/dev/null"
  compile_dbt=$SECONDS_TAKEN
fi

lookup() {
  local entry
  for entry in "${results[@]}"; do
    if [[ ${entry%%|*} == "$1" ]]; then echo "$entry" | cut -d'|' -f"$2"; fi
  done
  return 0
}
table="| database | dvt run (s) | dbt run (s) | dbt / dvt | dvt peak RSS (MB) |
|---|---|---|---|---|"
for database in duckdb postgres; do
  d=$(lookup "dvt run, $database" 2)
  b=$(lookup "dbt run, $database" 2)
  table+="
| $database | $d | ${b:--} | $(ratio "${b:-0}" "$d") | $(lookup "dvt run, $database" 3) |"
done
write_section "Projects" "## Projects

\`bench/project.sh $rows\` on $(nproc) cores, load $(load_average), $(date -u +%Y-%m-%d):
\`run\` of 24 models (3 views over 3 seeds of $rows rows, a chain of 7 tables,
7 aggregates, 7 joins), 2 threads, wall time of the whole command, fastest
of ${REPEAT:-3}; dbt-core 1.8.9 with dbt-duckdb 1.8.4 and dbt-postgres 1.8.2
in the same run.

$table

Parse and compile of a generated 500-model project (Jinja loops, a macro,
var(), config()): dvt compile ${compile_dvt} s, dbt compile ${compile_dbt} s."
