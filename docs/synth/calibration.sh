#!/bin/sh
# The synthetic country's list counts against the published ones (docs/SYNTH.md, "What it is
# calibrated to, and what it gives"): writes the country for each seed, evaluates every list
# with `kvarter lists`, and prints per list and year the synthetic count against the published
# one, the areas that entered and left each list, and how long areas stay on the ghetto /
# parallelsamfund list.
#
#   docs/synth/calibration.sh [OUT_DIR]      # SEEDS="1 2 3" YEARS=2006-2024 by default
#
# Run from the repository's root. Writes OUT_DIR/lists-SEED.csv (every membership, as
# `kvarter lists --format csv` prints it) and deletes each seed's register folder (2.6 GB)
# once its lists are written, unless KEEP=1. Needs python3 (standard library only).
set -eu
seeds=${SEEDS:-1 2 3}
years=${YEARS:-2006-2024}
out=${1:-$(mktemp -d)}
target=${CARGO_TARGET_DIR:-target}
mkdir -p "$out"
cargo build --release --quiet -p kvarter
for seed in $seeds; do
    "$target/release/kvarter" synth --scale country --seed "$seed" --years "$years" \
        --out "$out/registers-$seed" >/dev/null 2>&1
    "$target/release/kvarter" lists --registers "$out/registers-$seed" --format csv \
        >"$out/lists-$seed.csv" 2>/dev/null
    if [ "${KEEP:-0}" != 1 ]; then rm -rf "$out/registers-$seed"; fi
done
echo "country, data years $years; lists in $out"
echo
python3 - "$out" $seeds <<'EOF'
import csv, sys
from collections import defaultdict

out, seeds = sys.argv[1], sys.argv[2:]
# The published counts and where they come from: docs/SYNTH.md, "The published counts".
# A year missing here has no published count that could be found; it is not a target.
PUBLISHED = {
    "ghetto / parallelsamfund": {2010: 29, 2013: 33, 2014: 31, 2015: 25, 2017: 22, 2018: 29,
                                 2019: 28, 2020: 15, 2021: 12, 2022: 10, 2023: 12, 2024: 8},
    "hårdt ghetto / omdannelse": {2018: 15, 2019: 15, 2020: 13, 2021: 10, 2022: 9, 2023: 8,
                                  2024: 7},
    "udsat": {2018: 43, 2019: 40, 2020: 25, 2021: 20, 2022: 17, 2023: 19, 2024: 12},
    "forebyggelse": {2021: 62, 2022: 67, 2023: 56, 2024: 63},
    "kombineret udlejning (§ 51 b)": {2012: 56, 2023: 7},
}
LISTS = {
    "ghetto / parallelsamfund": ("ghettoomraade", "parallelsamfund"),
    "hårdt ghetto / omdannelse": ("haardt_ghettoomraade", "omdannelsesomraade"),
    "udsat": ("udsat_boligomraade",),
    "forebyggelse": ("forebyggelsesomraade",),
    "kombineret udlejning (§ 51 b)": ("kombineret_udlejning",),
}

def within(s, p):
    return abs(s - p) <= (2 if p < 10 else 0.2 * p)

members = {}  # seed -> list -> year -> set of areas
for seed in seeds:
    m = defaultdict(lambda: defaultdict(set))
    with open(f"{out}/lists-{seed}.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for name, ids in LISTS.items():
                if row["list"] in ids:
                    m[name][int(row["list_year"])].add(row["area_id"])
    members[seed] = m

all_years = sorted({y for s in members.values() for l in s.values() for y in l})
print("Counts: synthetic for seeds " + ", ".join(seeds) + " against the published count "
      "(* where seed " + seeds[0] + " is outside ±20 %, or ±2 under 10).")
print()
for name in LISTS:
    years = [y for y in all_years if any(y in members[s][name] for s in seeds)]
    if not years:
        continue
    print(f"| {name} | " + " | ".join(str(y) for y in years) + " |")
    print("|---|" + "---|" * len(years))
    for s in seeds:
        print(f"| seed {s} | " + " | ".join(str(len(members[s][name].get(y, ()))) for y in years) + " |")
    pub = []
    for y in years:
        p = PUBLISHED[name].get(y)
        if p is None:
            pub.append("–")
        else:
            n = len(members[seeds[0]][name].get(y, ()))
            pub.append(f"{p}" + ("" if within(n, p) else " *"))
    print("| published | " + " | ".join(pub) + " |")
    print()

hits = total = 0
errs = []
for name, ys in PUBLISHED.items():
    for y, p in ys.items():
        n = len(members[seeds[0]][name].get(y, ()))
        total += 1
        hits += within(n, p)
        errs.append(abs(n - p) / p)
print(f"Seed {seeds[0]}: {hits} of {total} published counts within ±20 % (±2 under 10); "
      f"mean absolute error {100 * sum(errs) / len(errs):.0f} %.")
for s in seeds[1:]:
    e = []
    h = 0
    for name, ys in PUBLISHED.items():
        for y, p in ys.items():
            n = len(members[s][name].get(y, ()))
            h += within(n, p)
            e.append(abs(n - p) / p)
    print(f"Seed {s}: {h} of {total} within; mean absolute error {100 * sum(e) / len(e):.0f} %.")
print()

# Movements: entries and exits per year, and how long areas stay on the ghetto /
# parallelsamfund list (the two count as one list across the 2021 renaming).
print("Entries / exits per list year (seed " + seeds[0] + "):")
print()
m = members[seeds[0]]
for name in ("ghetto / parallelsamfund", "udsat", "forebyggelse"):
    ys = sorted(m[name])
    cells = []
    for a, b in zip(ys, ys[1:]):
        if b != a + 1:
            continue
        cells.append(f"{b}: +{len(m[name][b] - m[name][a])} −{len(m[name][a] - m[name][b])}")
    print(f"- {name}: " + ", ".join(cells))
print()
g = m["ghetto / parallelsamfund"]
ys = sorted(g)
spells = []
for area in sorted(set().union(*g.values())):
    run = 0
    for y in ys:
        if area in g[y]:
            run += 1
        elif run:
            spells.append(run)
            run = 0
    if run:
        spells.append(run)
spells.sort()
if spells:
    print(f"Ghetto / parallelsamfund {ys[0]}–{ys[-1]}: {len(set().union(*g.values()))} areas "
          f"ever listed, {len(spells)} spells, median spell {spells[len(spells) // 2]} years, "
          f"{sum(1 for s in spells if s >= 5)} spells of 5 years or more.")
EOF
