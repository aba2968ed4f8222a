#!/bin/sh
# The figures of Copenhagen's 2025 policy (docs/SYNTH.md, "The capital against the policy's
# figures") on the synthetic capital: writes the registers, screens them with kbh-2025 (the
# state lists included), and computes, per data year, each figure for the designated areas of
# that screening (held fixed) and for the rest of the city.
#
#   docs/synth/policy_figures.sh [OUT_DIR]      # SEED=1 YEARS=2000-2024 by default
#
# Run from the repository's root. Writes OUT_DIR/registers (about 110 MB), OUT_DIR/screening.json
# and OUT_DIR/figures.csv (every year, CSV), and prints the table of docs/SYNTH.md for the years
# in TABLE_YEARS (default 2000 2010 2023).
set -eu
seed=${SEED:-1}
years=${YEARS:-2000-2024}
table_years=${TABLE_YEARS:-2000 2010 2023}
out=${1:-$(mktemp -d)}
target=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet -p kvarter
cargo build --release --quiet -p kvarter-data --example policy_figures
"$target/release/kvarter" synth --scale city --seed "$seed" --years "$years" \
    --out "$out/registers" >/dev/null 2>&1
"$target/release/kvarter" screen --registers "$out/registers" --spec kbh-2025 --format json \
    >"$out/screening.json" 2>/dev/null
"$target/release/examples/policy_figures" "$out/registers" "$out/screening.json" \
    >"$out/figures.csv"
echo "seed $seed, data years $years; the areas kbh-2025 designates on the last data year, held fixed"
echo
# One row per figure: the policy's value, then areas / rest (ratio) per table year.
awk -F, -v years="$table_years" '
BEGIN {
    n = split(years, ys, " ")
    target["without_attachment"] = "28 % (2000) → 17.3 % (2023); about 2 × the rest"
    target["only_basic_school"] = "36.2 % (2000) → 18.4 % (2023); gap 14 → 9 points"
    target["turnout"] = "almost 60 % city-wide (2021)"
    target["turnout_lowest_polling_district"] = "33.27 % at one polling station (2021)"
    target["safe_at_night"] = "67–72 % in the areas (2024)"
    target["safe_at_night_safest_district"] = "90 % in the safest district (2024)"
    target["poor_health"] = "(life expectancy 3.5 years shorter)"
    target["no_youth_education_at_25"] = "(no figure)"
    target["child_poverty"] = "(no figure)"
    order = "without_attachment only_basic_school turnout turnout_lowest_polling_district safe_at_night safe_at_night_safest_district poor_health no_youth_education_at_25 child_poverty"
    m = split(order, figs, " ")
}
NR > 1 {
    f = $2
    e = ""
    if (f ~ /^turnout_lowest/ && match(f, /_[0-9]+$/)) { e = " (election " substr(f, RSTART + 1) ")"; f = substr(f, 1, RSTART - 1) }
    if ($3 != "" && $4 != "") v[f, $1] = $3 " / " $4 " (" $5 ")"
    else if ($3 != "") v[f, $1] = $3 e
    else v[f, $1] = $4
}
END {
    printf "| figure | the policy |"
    for (i = 1; i <= n; i++) printf " %s |", ys[i]
    printf "\n|---|---|"
    for (i = 1; i <= n; i++) printf "---|"
    printf "\n"
    for (k = 1; k <= m; k++) {
        printf "| %s | %s |", figs[k], target[figs[k]]
        for (i = 1; i <= n; i++) printf " %s |", ((figs[k], ys[i]) in v) ? v[figs[k], ys[i]] : "–"
        printf "\n"
    }
}' "$out/figures.csv"
