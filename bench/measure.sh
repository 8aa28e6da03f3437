# Sourced by the bench scripts: timing and peak RSS of one command, kept in
# files under $work (which the script sets).

# measure NAME CMD...: runs CMD, appends "seconds peak_kb" to $work/NAME.
measure() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" ||
    { cat "$work/stderr" >&2; echo "failed: $*" >&2; exit 1; }
  cat "$work/time" >>"$work/$name"
}
# The median of the seconds measured as NAME.
median_seconds() { sort -n "$work/$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# The largest peak RSS measured as NAME, in MB.
max_rss_mb() { sort -n -k2 "$work/$1" | tail -n1 | awk '{ printf "%.0f", $2 / 1024 }'; }
