"""Benchmark: kvarter against DuckDB on the same Parquet, in the same script, on the same machine.

Both read two data years of person-year Parquet (the synthetic country), aggregate, and evaluate
the lists of 1 December 2024. Each run is a fresh process; wall time and peak resident memory
(ru_maxrss from wait4) are taken per process, runs are interleaved, and medians are reported.
DuckDB's in-process query time is reported too, which leaves out Python's start-up and import.

Usage: python bench.py --data DIR --kvarter PATH [--runs N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import duckdb

COLUMNS = ["person_id", "year", "area_id", "region", "age", "origin", "outside_fte", "in_education",
           "education_level", "education_source", "income", "taxable", "convicted"]
LISTS = {"udsat_boligomraade", "parallelsamfund", "forebyggelsesomraade", "kombineret_udlejning"}


def run_measured(cmd):
    """Like run, but measures peak memory with wait4 (communicate would reap the child first)."""
    start = time.perf_counter()
    with open("/tmp/kvarter-bench.out", "wb") as out, open("/tmp/kvarter-bench.err", "wb") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stdout = open("/tmp/kvarter-bench.out").read()
    stderr = open("/tmp/kvarter-bench.err").read()
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(cmd)}\n{stderr}")
    return stdout, stderr, wall, usage.ru_maxrss / 1024


def memberships(csv_text):
    rows = set()
    for line in csv_text.splitlines()[1:]:
        f = line.split(",")
        year, area = f[0], f[1]
        lst = f[2] if len(f) == 3 else f[4]
        if year == "2024" and lst in LISTS:
            rows.add((area, lst))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--kvarter", required=True)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    files = [f"{a.data}/persons-{y}.parquet" for y in (2022, 2023)]
    meta = duckdb.connect().execute(
        "SELECT sum(total_uncompressed_size), sum(total_compressed_size), "
        "(SELECT sum(num_rows) FROM parquet_file_metadata($1)) "
        "FROM parquet_metadata($1) WHERE path_in_schema IN ({})".format(
            ",".join(f"'{c}'" for c in COLUMNS)), [files]).fetchone()
    uncompressed_mb, compressed_mb, rows = meta[0] / 2**20, meta[1] / 2**20, meta[2]
    on_disk_mb = sum(os.path.getsize(f) for f in files) / 2**20
    kv_cmd = [a.kvarter, "lists", "--registers", a.data, "--data-years", "2022-2023",
              "--year", "2024", "--format", "csv"]
    dd_cmd = [sys.executable, os.path.join(os.path.dirname(__file__), "duckdb_lists.py"), a.data]
    kv, dd, dq = [], [], []
    kv_out = dd_out = None
    for i in range(a.runs + 1):  # the first round warms the page cache and is not counted
        out, _, wall, rss = run_measured(kv_cmd)
        kv_out = out
        if i:
            kv.append((wall, rss))
        out, err, wall, rss = run_measured(dd_cmd)
        dd_out = out
        if i:
            dd.append((wall, rss))
            dq.append(float(err.strip().split("query_seconds=")[-1]))
    same = memberships(kv_out) == memberships(dd_out)
    med = lambda xs: statistics.median(xs)
    kv_wall, dd_wall = med([w for w, _ in kv]), med([w for w, _ in dd])
    kv_rss, dd_rss = med([r for _, r in kv]), med([r for _, r in dd])
    dd_query = med(dq)
    print(f"data: {a.data}: {rows:,} person-rows in 2 files, {on_disk_mb:.0f} MB on disk; "
          f"the {len(COLUMNS)} columns read are {compressed_mb:.0f} MB compressed, {uncompressed_mb:.0f} MB uncompressed")
    print(f"machine: {os.cpu_count()} cores; duckdb {duckdb.__version__}; {a.runs} runs each, medians\n")
    print("| | wall time | peak memory |")
    print("|---|---|---|")
    print(f"| kvarter (whole process) | {kv_wall:.3f} s | {kv_rss:.0f} MB |")
    print(f"| DuckDB (whole process, incl. Python start-up) | {dd_wall:.3f} s | {dd_rss:.0f} MB |")
    print(f"| DuckDB (query alone) | {dd_query:.3f} s | |")
    print(f"\nspeed: kvarter is {dd_wall / kv_wall:.2f}x DuckDB's process time and "
          f"{dd_query / kv_wall:.2f}x DuckDB's query time")
    print(f"memory: kvarter's peak is {kv_rss / uncompressed_mb:.2f}x the uncompressed size of the columns read")
    print(f"lists of 2024 agree: {'yes' if same else 'NO'} "
          f"({len(memberships(kv_out))} memberships from kvarter, {len(memberships(dd_out))} from DuckDB)")
    if not same:
        print("only kvarter:", sorted(memberships(kv_out) - memberships(dd_out))[:10])
        print("only DuckDB:", sorted(memberships(dd_out) - memberships(kv_out))[:10])


if __name__ == "__main__":
    main()
