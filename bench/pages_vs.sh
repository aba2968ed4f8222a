#!/usr/bin/env bash
# The dashboard against a baseline kvarter (an earlier build), on the same synthetic country,
# served side by side on loopback and measured in interleaved rounds, so that a busy machine
# slows both alike; compare the ratios, not the figures:
#  1. every page type warm, timed by curl: the median of RUNS requests each, baseline and this
#     build taking turns;
#  2. the area profile and its API endpoint under load with wrk (2 threads, 16 connections,
#     10 s a round): the median over ROUNDS of requests per second and of p99 latency.
# Usage: bench/pages_vs.sh BASELINE_BIN [ROUNDS] [RUNS]
#   e.g. git worktree add /tmp/kvarter-base <rev> && cargo build --release \
#        --manifest-path /tmp/kvarter-base/Cargo.toml && bench/pages_vs.sh /tmp/kvarter-base/target/release/kvarter
# Needs curl and wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
base_bin=$(realpath "$1")
rounds=${2:-3}
runs=${3:-9}
dir=${KVARTER_BENCH_DIR:-target/bench/vs}
command -v wrk >/dev/null || { echo "bench: wrk not found; apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p kvarter
new_bin=$(realpath target/release/kvarter)
mkdir -p "$dir/new" "$dir/base"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
serve() { # BIN DIR PORT
  "$1" demo --scale country --dir "$2" --addr "127.0.0.1:$3" >"$2.out" 2>"$2.err" &
  pids+=($!)
  for _ in $(seq 1 1800); do
    grep -q '^demo: open' "$2.out" 2>/dev/null && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$2.err" >&2; exit 1; }
    sleep 1
  done
  echo "bench: $1 did not start" >&2; exit 1
}
# This build writes the synthetic country; the baseline gets a copy of the same files (its
# marker says they are complete) and loads them into a store of its own.
serve "$new_bin" "$dir/new" 18091
find "$dir/new" -maxdepth 1 -type f ! -name 'kvarter.db*' ! -name demo-users.txt -exec cp {} "$dir/base/" \;
serve "$base_bin" "$dir/base" 18092
new="http://127.0.0.1:18091"
base="http://127.0.0.1:18092"
year=$(curl -fsS "$new/" | sed -n 's|.*<h1>Listerne 1. december \([0-9]*\)</h1>.*|\1|p' | head -n 1)
area=$(curl -fsS "$new/api/lists/$year" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(a["id"] for l in d["lists"] for a in l["areas"]))')
echo "synthetic country, list year $year, profile of $area; $(nproc) cores"
echo "baseline: $base_bin"
echo "this:     $new_bin"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
printf '%-40s %12s %12s %8s\n' "page (median ms of $runs)" "baseline" "this" "ratio"
for path in "/" "/areas/$area" "/lists" "/lists/download?format=xlsx" "/screening" "/methodology" \
            "/api/areas/$area" "/api/areas/$area/designations" "/api/areas/$area/explanation" "/api/lists/$year"; do
  curl -fsS -o /dev/null "$base$path"; curl -fsS -o /dev/null "$new$path"   # warm
  : >"$dir/b.ms"; : >"$dir/n.ms"
  for _ in $(seq 1 "$runs"); do
    curl -fsS -o /dev/null -w '%{time_total}\n' "$base$path" | awk '{print $1*1000}' >>"$dir/b.ms"
    curl -fsS -o /dev/null -w '%{time_total}\n' "$new$path" | awk '{print $1*1000}' >>"$dir/n.ms"
  done
  b=$(median <"$dir/b.ms"); n=$(median <"$dir/n.ms")
  printf '%-40s %12.1f %12.1f %8.2f\n' "$path" "$b" "$n" "$(awk -v b="$b" -v n="$n" 'BEGIN{print n/b}')"
done
# wrk's figures: requests per second, and the p99 latency in ms.
load() {
  wrk -t2 -c16 -d10s --latency "$1" | awk '
    /Requests\/sec/ {rps=$2}
    / 99%/ {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; p99=v}
    END {print rps, p99}'
}
for path in "/areas/$area" "/api/areas/$area/designations"; do
  : >"$dir/b.load"; : >"$dir/n.load"
  for _ in $(seq 1 "$rounds"); do
    load "$base$path" >>"$dir/b.load"
    load "$new$path" >>"$dir/n.load"
  done
  echo
  echo "wrk -t2 -c16 -d10s $path, median of $rounds interleaved rounds"
  printf '%-12s %14s %12s\n' "" "requests/s" "p99 ms"
  printf '%-12s %14.0f %12.1f\n' baseline "$(cut -d' ' -f1 "$dir/b.load" | median)" "$(cut -d' ' -f2 "$dir/b.load" | median)"
  printf '%-12s %14.0f %12.1f\n' this "$(cut -d' ' -f1 "$dir/n.load" | median)" "$(cut -d' ' -f2 "$dir/n.load" | median)"
done
