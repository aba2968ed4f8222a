"""The lists of 1 December 2024 with Polars: the same job as bench/duckdb_group_by.sql.

A lazy scan_parquet of the two data years and one group_by(year, area_id, region) over the person
rows; the area, region and national totals are rolled up from that small result, and the lists
are evaluated in Python over the few hundred social-housing areas. Shares are rounded half away
from zero to 2 decimals and compared as whole hundredths, as DuckDB's round(..., 2)::DECIMAL does.

Usage: python polars_lists.py DIR. Prints the memberships as CSV, and the time from building the
lazy query to the last membership on stderr.
"""
import csv
import math
import sys
import time

import polars as pl

folder = sys.argv[1]
start = time.perf_counter()
age = pl.col("age")
a18_64 = age.is_between(18, 64)
a30_59 = age.is_between(30, 59)
inc = pl.col("taxable") & ~pl.col("in_education") & age.is_between(15, 64)
g = (
    pl.scan_parquet([f"{folder}/persons-2022.parquet", f"{folder}/persons-2023.parquet"])
    .group_by("year", "area_id", "region")
    .agg(
        pl.len().alias("residents"),
        pl.col("origin").is_in([3, 4]).sum().alias("non_western"),
        a18_64.sum().alias("n_18_64"),
        pl.col("outside_fte").cast(pl.Float64).filter(a18_64).sum().alias("outside"),
        (age >= 18).sum().alias("n_18_plus"),
        ((age >= 18) & pl.col("convicted")).sum().alias("convicted"),
        a30_59.sum().alias("n_30_59"),
        (a30_59 & ((pl.col("education_level") <= 1) | (pl.col("education_source") > 1))).sum().alias("basic"),
        inc.sum().alias("n_income"),
        pl.col("income").filter(inc).sum().alias("income_sum"),
    )
    .collect()
)
sums = [c for c in g.columns if c not in ("year", "area_id", "region")]
area = {
    (r["year"], r["area_id"]): r
    for r in g.filter(pl.col("area_id").is_not_null())
    .with_columns(pl.col("area_id").cast(pl.String))
    .group_by("year", "area_id").agg(pl.col(sums).sum()).iter_rows(named=True)
}
region = {
    (r["year"], r["region"]): r["income_sum"] / r["n_income"]
    for r in g.group_by("year", "region").agg(pl.col(sums).sum()).iter_rows(named=True)
}
nation = {r["year"]: r for r in g.group_by("year").agg(pl.col(sums).sum()).iter_rows(named=True)}


def hundredths(x):
    """round(x, 2) as a whole number of hundredths, half away from zero."""
    return int(math.copysign(math.floor(abs(x * 100) + 0.5), x))


nat = hundredths((nation[2023]["convicted"] * 100.0 / nation[2023]["n_18_plus"]
                  + nation[2022]["convicted"] * 100.0 / nation[2022]["n_18_plus"]) / 2)
out = []
with open(f"{folder}/areas.csv", newline="") as f:
    for a in csv.DictReader(f):
        if a["kind"] != "social_housing" or (2023, a["area_id"]) not in area:
            continue
        l = area[(2023, a["area_id"])]
        e = area.get((2022, a["area_id"]))
        if e is None:
            continue  # the SQL's LEFT JOIN leaves the two-year means NULL, so no list applies
        residents = l["residents"]
        nw = hundredths(l["non_western"] * 100.0 / residents)
        labour = hundredths((l["outside"] / l["n_18_64"] * 100 + e["outside"] / e["n_18_64"] * 100) / 2)
        conv = hundredths((l["convicted"] * 100.0 / l["n_18_plus"] + e["convicted"] * 100.0 / e["n_18_plus"]) / 2)
        edu = hundredths(l["basic"] * 100.0 / l["n_30_59"])
        incm = hundredths(l["income_sum"] / l["n_income"] / region[(2023, int(a["region"]))] * 100)
        big = residents >= 1000
        udsat = big and (labour > 4000) + (conv >= 3 * nat) + (edu > 6000) + (incm < 5500) >= 2
        fb = big and nw > 3000 and (labour > 3000) + (conv >= 2 * nat) + (edu > 6000) + (incm < 6500) >= 2
        if udsat:
            out.append((a["area_id"], "udsat_boligomraade"))
            if nw > 5000:
                out.append((a["area_id"], "parallelsamfund"))
        if fb and not udsat:
            out.append((a["area_id"], "forebyggelsesomraade"))
        if big and (labour >= 4000 or (residents >= 5000 and labour >= 3000)):
            out.append((a["area_id"], "kombineret_udlejning"))
elapsed = time.perf_counter() - start
print("list_year,area_id,list")
for area_id, lst in sorted(out, key=lambda r: (r[1], r[0])):
    print(f"2024,{area_id},{lst}")
print(f"query_seconds={elapsed:.4f}", file=sys.stderr)
