#!/usr/bin/env bash
# The dashboard's speed on the synthetic country, on loopback only:
#  1. every page type once warm, timed by curl (median of N runs each): the "< 200 ms" bar;
#  2. a bounded load test of the area-profile page and its API endpoint with wrk
#     (2 threads, 16 connections, 20 s each): requests per second and p99 latency.
# Usage: bench/pages.sh [RUNS]   (needs curl and wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-9}
dir=${KVARTER_BENCH_DIR:-target/bench/demo-country}
port=${KVARTER_BENCH_PORT:-18080}
command -v wrk >/dev/null || { echo "bench: wrk not found; apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p kvarter
bin=target/release/kvarter
"$bin" demo --scale country --dir "$dir" --addr "127.0.0.1:$port" >"$dir.out" 2>"$dir.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 900); do
  grep -q '^demo: open' "$dir.out" 2>/dev/null && break
  kill -0 $pid 2>/dev/null || { cat "$dir.err" >&2; exit 1; }
  sleep 1
done
base="http://127.0.0.1:$port"
year=$(curl -fsS "$base/api/manifest" >/dev/null && curl -fsS "$base/" | sed -n 's|.*<h1>Listerne 1. december \([0-9]*\)</h1>.*|\1|p' | head -n 1)
# The area with the longest profile: a listed area (it has streaks, changes and every chart).
area=$(curl -fsS "$base/api/lists/$year" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(a["id"] for l in d["lists"] for a in l["areas"]))')
echo "synthetic country, list year $year, profile of $area; $(nproc) cores"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '%-44s %10s %10s\n' "page" "median ms" "bytes"
for path in "/" "/?lang=en" "/areas/$area" "/lists" "/lists/download?format=xlsx" "/screening" "/methodology" \
            "/api/areas/$area/designations" "/api/areas/$area/explanation" "/api/lists/$year"; do
  curl -fsS -o /dev/null "$base$path"   # warm
  ms=$(for _ in $(seq 1 "$runs"); do curl -fsS -o /dev/null -w '%{time_total}\n' "$base$path"; done | awk '{print $1*1000}' | median)
  bytes=$(curl -fsS "$base$path" | wc -c)
  printf '%-44s %10.1f %10d\n' "$path" "$ms" "$bytes"
done
for path in "/areas/$area" "/api/areas/$area/designations"; do
  echo
  echo "wrk -t2 -c16 -d20s --latency $base$path"
  wrk -t2 -c16 -d20s --latency "$base$path" | grep -E 'Requests/sec|50%|90%|99%|Non-2xx|Socket errors' || true
done
