"""Runs one of the DuckDB formulations (bench/duckdb_*.sql) over a register folder and prints the
memberships as CSV.

Usage: python duckdb_lists.py DIR SQL_FILE [--threads N]. Prints the query's own time (from
handing the statement to DuckDB until every result row is fetched) on stderr.
"""
import pathlib
import sys
import time

import duckdb

folder, sql_file = sys.argv[1], sys.argv[2]
threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else None
sql = pathlib.Path(sql_file).read_text().replace("{dir}", folder)
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
