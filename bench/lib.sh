# Shared pieces of the bench scripts: timing under /usr/bin/time -v, ratios,
# the load average, and writing a section of bench/README.md. Source it.

# Runs "$@" REPEAT times (default 3) under /usr/bin/time -v, after $BEFORE
# (untimed; reset to `true` afterwards) each time; sets SECONDS_TAKEN (the
# fastest run) and RSS_MB (the largest peak RSS).
BEFORE=true
timed() {
  local log run seconds rss
  log=$(mktemp)
  SECONDS_TAKEN= RSS_MB=0
  for ((run = 0; run < ${REPEAT:-3}; run++)); do
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
  rm -f "$log"
  BEFORE=true
}

rows_per_s() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# Replaces the section headed "## $1" of bench/README.md with $2 (or appends it).
write_section() {
  local heading=$1 section=$2 readme
  readme="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/README.md"
  [[ -f "$readme" ]] || printf '# Benchmarks\n\nEach section is written by its script in bench/.\n' >"$readme"
  awk -v heading="## $heading" -v section="$section" '
    /^## / { if (skip) skip = 0; if ($0 == heading) { print section; skip = 1; done = 1; next } }
    !skip { print }
    END { if (!done) { print ""; print section } }
  ' "$readme" >"$readme.tmp"
  mv "$readme.tmp" "$readme"
  echo "bench: wrote the $heading section of $readme" >&2
}
