"""Runs one of the DuckDB formulations (bench/duckdb_*.sql) over a register folder and prints the
memberships as CSV.

Usage: python duckdb_lists.py DIR SQL_FILE [--threads N] [--all-years]. Prints the query's own
time (from handing the statement to DuckDB until every result row is fetched) on stderr.

With --all-years the formulation's aggregation (everything before its `area AS (` line) reads
every persons-*.parquet of DIR instead of the two files it names, and bench/duckdb_all_years_tail.sql
replaces the rest: the lists of every list year from 2021 on (rule set dk-2021 and § 51 b).
"""
import pathlib
import sys
import time

import duckdb

folder, sql_file = sys.argv[1], sys.argv[2]
threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else None
sql = pathlib.Path(sql_file).read_text()
if "--all-years" in sys.argv:
    head = sql[: sql.index("\narea AS (") + 1]
    two = "read_parquet(['{dir}/persons-2022.parquet', '{dir}/persons-2023.parquet'])"
    if two not in head:
        sys.exit(f"{sql_file}: expected the aggregation to read {two}")
    head = head.replace(two, "read_parquet('{dir}/persons-*.parquet')")
    tail = (pathlib.Path(__file__).parent / "duckdb_all_years_tail.sql").read_text()
    sql = head + "\n".join(l for l in tail.splitlines() if not l.startswith("--")) + "\n"
sql = sql.replace("{dir}", folder)
con = duckdb.connect()
if threads:
    con.execute(f"SET threads = {threads}")
start = time.perf_counter()
rows = con.execute(sql).fetchall()
elapsed = time.perf_counter() - start
print("list_year,area_id,list")
for r in rows:
    print(f"{r[0]},{r[1]},{r[2]}")
print(f"query_seconds={elapsed:.4f}", file=sys.stderr)
