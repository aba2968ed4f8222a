"""Benchmark: kvarter against DuckDB (several formulations) and Polars on the same Parquet, on the
same machine.

Every contender reads two data years of person-year Parquet (the synthetic country), aggregates
them, and evaluates the lists of 1 December 2024. Each run is a fresh process; wall time and peak
resident memory (ru_maxrss from wait4) are taken per process. The contenders take turns within a
round, the order rotating from round to round, and medians are reported. For DuckDB and Polars the
in-process query time is reported too, which leaves out Python's start-up and imports. Every
contender's memberships must equal kvarter's, in every run; the script fails if one does not.

With --all-years the job is every data year of DIR (2006-2024) and every list year: kvarter
evaluates every list 2010-2025 (`kvarter lists --registers DIR --format csv`); DuckDB aggregates
every data year with the same formulations and evaluates the lists of list years 2021 on
(bench/duckdb_all_years_tail.sql), and the memberships of those list years are compared. Polars
does not take part in the all-years job.

Usage: python bench.py --data DIR --kvarter PATH [--runs N] [--no-polars] [--all-years]
"""
import argparse
import csv
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = ["person_id", "year", "area_id", "region", "age", "origin", "outside_fte", "in_education",
           "education_level", "education_source", "income", "taxable", "convicted"]
LISTS = {"udsat_boligomraade", "parallelsamfund", "forebyggelsesomraade", "kombineret_udlejning"}


TIME = shutil.which("time", path="/usr/bin:/bin")


def run_measured(cmd):
    """Runs cmd; returns stdout, stderr, wall seconds and peak RSS in MB.

    The peak is measured by GNU time (Debian's `time` package) when it is installed: a child
    spawned from this Python process inherits the interpreter's own peak (Linux records the
    peak of the memory a process had before exec), so ru_maxrss from wait4 here would report
    this benchmark's Python, with DuckDB imported, about 90 MB, for every contender. Without
    GNU time the peak is not reported."""
    measured = [TIME, "-f", "%M", "-o", "/tmp/kvarter-bench.rss", *cmd] if TIME else cmd
    start = time.perf_counter()
    with open("/tmp/kvarter-bench.out", "wb") as out, open("/tmp/kvarter-bench.err", "wb") as err:
        proc = subprocess.Popen(measured, stdout=out, stderr=err)
        _, status, _ = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stdout = open("/tmp/kvarter-bench.out").read()
    stderr = open("/tmp/kvarter-bench.err").read()
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(cmd)}\n{stderr}")
    rss = float(open("/tmp/kvarter-bench.rss").read().split()[-1]) / 1024 if TIME else float("nan")
    return stdout, stderr, wall, rss


def memberships(csv_text, all_years=False):
    """The (list year, area, list) rows of the lists every contender evaluates: list year 2024,
    or with all_years every list year from 2021 (rule set dk-2021) on."""
    rows = set()
    for f in list(csv.reader(io.StringIO(csv_text)))[1:]:
        year, area = f[0], f[1]
        lst = f[2] if len(f) == 3 else f[4]
        if (int(year) >= 2021 if all_years else year == "2024") and lst in LISTS:
            rows.add((year, area, lst))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--kvarter", required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--no-polars", action="store_true")
    ap.add_argument("--all-years", action="store_true")
    a = ap.parse_args()
    if a.all_years:
        files = sorted(os.path.join(a.data, f) for f in os.listdir(a.data)
                       if f.startswith("persons-") and f.endswith(".parquet"))
    else:
        files = [f"{a.data}/persons-{y}.parquet" for y in (2022, 2023)]
    meta = duckdb.connect().execute(
        "SELECT sum(total_uncompressed_size), sum(total_compressed_size), "
        "(SELECT sum(num_rows) FROM parquet_file_metadata($1)) "
        "FROM parquet_metadata($1) WHERE path_in_schema IN ({})".format(
            ",".join(f"'{c}'" for c in COLUMNS)), [files]).fetchone()
    uncompressed_mb, compressed_mb, rows = meta[0] / 2**20, meta[1] / 2**20, meta[2]
    on_disk_mb = sum(os.path.getsize(f) for f in files) / 2**20

    py = sys.executable
    dd = lambda sql, *extra: [py, f"{HERE}/duckdb_lists.py", a.data, f"{HERE}/{sql}", *extra]
    if a.all_years:
        da = lambda sql: dd(sql, "--all-years")
        contenders = [
            ("kvarter", [a.kvarter, "lists", "--registers", a.data, "--format", "csv"]),
            ("DuckDB, GROUP BY + roll-up (duckdb_group_by.sql)", da("duckdb_group_by.sql")),
            ("DuckDB, projected 0/1 columns + GROUP BY + roll-up (duckdb_projected.sql)",
             da("duckdb_projected.sql")),
            ("DuckDB, count_if + GROUP BY + roll-up (duckdb_count_if.sql)", da("duckdb_count_if.sql")),
        ]
    else:
        contenders = [
            ("kvarter", [a.kvarter, "lists", "--registers", a.data, "--data-years", "2022-2023",
                         "--year", "2024", "--format", "csv"]),
            ("DuckDB, GROUPING SETS (duckdb_grouping_sets.sql)", dd("duckdb_grouping_sets.sql")),
            ("DuckDB, GROUP BY + roll-up (duckdb_group_by.sql)", dd("duckdb_group_by.sql")),
            ("DuckDB, GROUP BY + roll-up, threads = 2", dd("duckdb_group_by.sql", "--threads", "2")),
            ("DuckDB, projected 0/1 columns + GROUP BY + roll-up (duckdb_projected.sql)",
             dd("duckdb_projected.sql")),
            ("DuckDB, count_if + GROUP BY + roll-up (duckdb_count_if.sql)", dd("duckdb_count_if.sql")),
        ]
    versions = f"duckdb {duckdb.__version__}"
    if not a.no_polars and not a.all_years:
        import polars
        versions += f", polars {polars.__version__}"
        contenders.append(("Polars, lazy scan_parquet + group_by + roll-up (polars_lists.py)",
                           [py, f"{HERE}/polars_lists.py", a.data]))

    results = {name: [] for name, _ in contenders}  # (wall, rss, query seconds or None)
    reference = None
    for i in range(a.runs + 1):  # round 0 warms the page cache and is not counted
        k = i % len(contenders)
        for name, cmd in contenders[k:] + contenders[:k]:
            out, err, wall, rss = run_measured(cmd)
            got = memberships(out, a.all_years)
            if name == "kvarter":
                if reference is not None and got != reference:
                    sys.exit("kvarter's memberships changed between runs")
                reference = reference or got
            if i:
                q = float(err.split("query_seconds=")[-1]) if "query_seconds=" in err else None
                results[name].append((wall, rss, q, got))
        print(f"round {i} done", file=sys.stderr)

    med = statistics.median
    kv_wall = med(w for w, _, _, _ in results["kvarter"])
    print(f"data: {a.data}: {rows:,} person-rows in {len(files)} files, {on_disk_mb:.0f} MB on disk; "
          f"the {len(COLUMNS)} columns kvarter reads are {compressed_mb:.0f} MB compressed, "
          f"{uncompressed_mb:.0f} MB uncompressed (the SQL and Polars do not read person_id)")
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
          f"{versions}; {a.runs} interleaved runs each, medians\n")
    print("| | query alone | whole process (min–max) | peak memory | query alone ÷ kvarter's process | process ÷ kvarter's process | memberships = kvarter's |")
    print("|---|---|---|---|---|---|---|")
    failed = []
    best_query = None
    for name, _ in contenders:
        rs = results[name]
        wall = med(w for w, _, _, _ in rs)
        lo, hi = min(w for w, _, _, _ in rs), max(w for w, _, _, _ in rs)
        rss = med(r for _, r, _, _ in rs)
        qs = [q for _, _, q, _ in rs if q is not None]
        q = med(qs) if qs else None
        agree = all(m == reference for _, _, _, m in rs)
        if not agree:
            failed.append(name)
        if q is not None and (best_query is None or q < best_query[1]):
            best_query = (name, q)
        ratio = f"{q / kv_wall:.2f}" if q is not None else ""
        print(f"| {name} | {f'{q:.3f} s' if q is not None else ''} | {wall:.3f} s ({lo:.3f}–{hi:.3f}) "
              f"| {rss:.0f} MB | {ratio} | {wall / kv_wall:.2f} | {'yes' if agree else 'NO'} ({len(rs[-1][3])}) |")
    print(f"\nkvarter's whole process: {kv_wall:.3f} s; the best query alone: {best_query[0]}, "
          f"{best_query[1]:.3f} s; best query alone ÷ kvarter's whole process = {best_query[1] / kv_wall:.2f}")
    print(f"kvarter's peak memory is {med(r for _, r, _, _ in results['kvarter']) / uncompressed_mb:.2f}× "
          f"the uncompressed size of the columns it reads")
    print(f"memberships compared ({'list years 2021 on' if a.all_years else '2024'}): {len(reference)}")
    if failed:
        for name in failed:
            bad = next(m for _, _, _, m in results[name] if m != reference)
            print(f"{name}: only kvarter {sorted(reference - bad)[:10]}, only this {sorted(bad - reference)[:10]}")
        sys.exit("memberships disagree: " + "; ".join(failed))


if __name__ == "__main__":
    main()
