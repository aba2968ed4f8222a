"""Runs bench/duckdb_lists.sql over a register folder and prints the memberships as CSV.

Usage: python duckdb_lists.py DIR [--threads N]. Prints the query's own time on stderr.
"""
import pathlib
import sys
import time

import duckdb

folder = sys.argv[1]
threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else None
sql = (pathlib.Path(__file__).parent / "duckdb_lists.sql").read_text().replace("{dir}", folder)
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
