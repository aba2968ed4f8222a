#!/bin/sh
# The figures of Copenhagen's 2025 policy (docs/SYNTH.md, "The capital against the policy's
# figures") on the synthetic capital: writes the registers, screens them with kbh-2025, and
# prints, per data year, each figure for the designated areas of that screening (held fixed)
# and for the rest of the city, as CSV.
#
#   docs/synth/policy_figures.sh [OUT_DIR]      # SEED=1 YEARS=2000-2024 by default
#
# Run from the repository's root. Writes OUT_DIR/registers (about 110 MB), OUT_DIR/screening.json
# and OUT_DIR/figures.csv, and prints the CSV.
set -eu
seed=${SEED:-1}
years=${YEARS:-2000-2024}
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
cat "$out/figures.csv"
