#!/usr/bin/env bash
# The early warning (kvarter foresight) of two builds on the same register folder, in
# interleaved rounds so that a busy machine slows both alike: per round the baseline and this
# build each run the forecast, the backtest and `kvarter load --registers` (whose foresight part
# runs both), and this build also runs the load without the early warning
# (--foresight-draws 0). Every round checks that the two builds print and store byte-identical
# results (and, once before the rounds, the forecast as CSV, JSON and table at two seeds and
# the backtest as JSON and table); the script prints the median wall time and the median CPU
# time (user + system, which a busy machine disturbs less) of each. Needs sqlite3, bc and GNU
# time (/usr/bin/time).
# Usage: bench/foresight.sh BASELINE_BIN REGISTERS_DIR [ROUNDS]
#   e.g. git worktree add /tmp/kvarter-base <rev> && cargo build --release \
#          --manifest-path /tmp/kvarter-base/Cargo.toml
#        target/release/kvarter synth --scale country --seed 1 --out /tmp/country
#        bench/foresight.sh /tmp/kvarter-base/target/release/kvarter /tmp/country 5
set -euo pipefail
cd "$(dirname "$0")/.."
base_bin=$(realpath "$1")
regs=$(realpath "$2")
rounds=${3:-5}
cargo build --release -q -p kvarter
new_bin=$(realpath target/release/kvarter)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# time_it NAME BIN ARGS...: runs BIN ARGS > $dir/NAME.out and appends the wall seconds to
# $dir/NAME.t and the CPU seconds to $dir/NAME.cpu
time_it() {
  local name=$1 bin=$2
  shift 2
  /usr/bin/time -f "%e %U %S" -o "$dir/time" "$bin" "$@" >"$dir/$name.out" 2>/dev/null
  read -r wall user sys <"$dir/time"
  echo "$wall" >>"$dir/$name.t"
  echo "$user + $sys" | bc >>"$dir/$name.cpu"
}
dump() { # the foresight tables of a store, in a fixed order
  sqlite3 "$1" "select * from foresight order by list_year, area_id, list" \
    "select * from foresight_backtest order by coalesce(list_year, 0), list"
}
# Once, untimed: the other outputs of both builds, byte for byte (the forecast as CSV, JSON and
# table at seeds 1 and 7, 50 draws at seed 7; the backtest as JSON and table).
for who in base new; do
  bin=$base_bin
  [ "$who" = new ] && bin=$new_bin
  for seed in 1 7; do
    draws=200
    [ "$seed" = 7 ] && draws=50
    for fmt in csv json table; do
      "$bin" foresight --registers "$regs" --seed "$seed" --draws "$draws" --format "$fmt" \
        >"$dir/once.forecast.$seed.$fmt.$who" 2>/dev/null
    done
  done
  for fmt in json table; do
    "$bin" foresight --registers "$regs" --backtest --format "$fmt" >"$dir/once.backtest.$fmt.$who" 2>/dev/null
  done
done
for f in "$dir"/once.*.base; do
  cmp -s "$f" "${f%.base}.new" ||
    { echo "bench: $(basename "${f%.base}") differs between the builds" >&2; exit 1; }
done
echo "forecast (CSV, JSON, table; seeds 1 and 7) and backtest (JSON, table) byte-identical" >&2
for r in $(seq 1 "$rounds"); do
  for who in base new; do
    bin=$base_bin
    [ "$who" = new ] && bin=$new_bin
    time_it "forecast.$who" "$bin" foresight --registers "$regs" --format csv
    time_it "backtest.$who" "$bin" foresight --registers "$regs" --backtest --format csv
    rm -f "$dir/$who.db"
    time_it "load.$who" "$bin" load --registers "$regs" --db "$dir/$who.db"
    dump "$dir/$who.db" >"$dir/store.$who.out"
  done
  rm -f "$dir/none.db"
  time_it "load-none.new" "$new_bin" load --registers "$regs" --db "$dir/none.db" --foresight-draws 0
  for what in forecast backtest store; do
    cmp -s "$dir/$what.base.out" "$dir/$what.new.out" ||
      { echo "bench: round $r: the $what differs between the builds" >&2; exit 1; }
  done
  echo "round $r of $rounds: forecast, backtest and stored foresight byte-identical" >&2
done
median() { sort -g "$1" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m}'; }
row() { # LABEL NAME
  local b="" bc=""
  if [ -f "$dir/$2.base.t" ]; then
    b="$(median "$dir/$2.base.t") s"
    bc="$(median "$dir/$2.base.cpu") s"
  fi
  echo "| $1 | $b | $(median "$dir/$2.new.t") s | $bc | $(median "$dir/$2.new.cpu") s |"
}
echo "| median of $rounds interleaved rounds | baseline wall | this wall | baseline CPU | this CPU |"
echo "|---|---|---|---|---|"
row "forecast (200 draws)" forecast
row "backtest (200 draws a year)" backtest
row "load --registers" load
row "load --registers --foresight-draws 0" load-none
