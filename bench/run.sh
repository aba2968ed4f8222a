#!/usr/bin/env bash
# The benchmark of issue 3: kvarter against DuckDB over the same Parquet on this machine.
# Not a test: timings vary with the machine and its load; run it, read the medians.
#
#   bench/run.sh [RUNS]
#
# Builds kvarter in release, generates the synthetic country for data years 2022-2023 (once, into
# target/bench/), installs DuckDB from PyPI into a throwaway virtual environment under /tmp, and
# runs bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
data=target/bench/country-2022-2023
venv=/tmp/kvarter-bench-venv

cargo build --release -p kvarter
if [ ! -f "$data/persons-2023.parquet" ]; then
  target/release/kvarter synth --scale country --seed 1 --years 2022-2023 --out "$data"
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'duckdb==1.*'
fi
"$venv/bin/python" bench/bench.py --data "$data" --kvarter target/release/kvarter --runs "$runs"
