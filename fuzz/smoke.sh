#!/usr/bin/env bash
# A short, bounded fuzz of every target of fuzz/ (see fuzz/README.md): installs cargo-fuzz if
# the machine lacks it (and a C++ compiler, which libFuzzer needs), builds every target once on
# the default (stable) toolchain, then fuzzes each for 20 s, one after another, from its
# committed corpus. A crash, a timeout or running out of memory fails. New inputs go to a
# scratch folder, never into fuzz/corpus.
set -euo pipefail
cd "$(dirname "$0")"

CARGO_FUZZ_VERSION=0.13.2
SECONDS_PER_TARGET=${SMOKE_SECONDS:-20}

if ! command -v c++ >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq g++ >/dev/null
fi
if [ "$(cargo fuzz --version 2>/dev/null | sed -n 1p)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
cargo fuzz --version | sed -n 1p
rustc --version

# No sanitizer, as in the campaigns of fuzz/README.md (the readers are safe Rust; the targets
# look for panics, overflows, hangs and runaway memory), but unoptimised (`--dev`, with debug
# assertions and overflow checks): it builds in a fraction of the time of the optimised build,
# which matters more to a 20 s run than the speed of each execution.
cargo fuzz build --dev -s none
targets=$(cargo fuzz list)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in $targets; do
  printf '\n-- fuzz smoke: %s (%s s)\n' "$t" "$SECONDS_PER_TARGET"
  mkdir -p "$scratch/$t"
  # The first folder receives new inputs; the committed corpus is only read.
  if ! cargo fuzz run --dev -s none "$t" "$scratch/$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -print_final_stats=1 2>"$scratch/$t.log"; then
    tail -n 60 "$scratch/$t.log" >&2
    echo "fuzz smoke: $t failed; the input is in fuzz/artifacts/$t/ (see fuzz/README.md)" >&2
    exit 1
  fi
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$scratch/$t.log" || true
done
printf '\nfuzz smoke: ok (%s targets, %s s each)\n' "$(echo "$targets" | wc -w)" "$SECONDS_PER_TARGET"
