#!/usr/bin/env bash
# The benchmark of issue 3 (and issue 15): kvarter against DuckDB, in several formulations, and
# Polars, over the same Parquet on this machine. Not a test: timings vary with the machine and its
# load; run it, read the medians.
#
#   bench/run.sh [--all-years] [RUNS]
#
# Builds kvarter in release, generates the synthetic country for data years 2022-2023 (once, into
# target/bench/), installs DuckDB and Polars from PyPI (pinned; wheels, nothing to build) into a
# throwaway virtual environment under /tmp, and runs bench/bench.py. If Polars will not install,
# the benchmark runs without it.
#
# --all-years runs the all-years job instead: the synthetic country for data years 2006-2024
# (about 2.7 GB, generated once into target/bench/, one to two minutes), every list year; kvarter
# against the DuckDB formulations (bench/bench.py says what is compared).
set -euo pipefail
cd "$(dirname "$0")/.."
all_years=()
years=2022-2023
if [ "${1:-}" = "--all-years" ]; then
  all_years=(--all-years)
  years=2006-2024
  shift
fi
runs=${1:-7}
data=target/bench/country-$years
venv=/tmp/kvarter-bench-venv
duckdb_version=2.0.1
polars_version=2.1.0

cargo build --release -p kvarter
if ! grep -qs "^kvarter synth: complete" "$data/kvarter-synth.txt"; then
  target/release/kvarter synth --scale country --seed 1 --years "$years" --out "$data"
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet "duckdb==$duckdb_version"
polars=()
"$venv/bin/pip" install --quiet "polars==$polars_version" || polars=(--no-polars)
"$venv/bin/python" bench/bench.py --data "$data" --kvarter target/release/kvarter --runs "$runs" \
  "${polars[@]}" "${all_years[@]}"
