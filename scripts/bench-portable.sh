#!/usr/bin/env bash
# What the package's builds cost against `make run`'s native build (target/native, -march=native) on this
# machine: the AVX2 floor (every other build in the checkout, .cargo/config.toml; /usr/bin/rehearse) and the
# build for AVX-512 CPUs (the cargo feature `avx512`: whisper.cpp for ggml's zen4 sets;
# /usr/lib/rehearse/rehearse-avx512, which the floor starts in its place on such a CPU). Batch transcription
# of the 3-minute answer by examples/transcribe_file (model loaded before the clock, as in
# scripts/bench-ratio.sh) from each build, and faster-whisper int8 (scripts/bench-anchor.sh) as the anchor,
# run in alternation ROUNDS times so all see the same machine (a shared machine's speed drifts by ±20 %
# within minutes). Prints each round and the medians: each build's speed / native speed (target >= 0.9 for
# the build this CPU runs) and each build's time / faster-whisper's.
# A benchmark, not a test: `make bench-portable`; ANCHOR=0 leaves faster-whisper out; NATIVE=FILE times that
# transcribe_file as the native build instead of building target/native's.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-10}"
MODEL="${MODEL:-tiny.en-q8_0}"
export REHEARSE_MODELS_DIR="${REHEARSE_MODELS_DIR:-$PWD/models}" # the binaries are run directly, not by cargo
ANCHOR="${ANCHOR:-1}"
WAV=target/bench-answer-3min.wav

if [ "$ANCHOR" = 1 ]; then
  RUNS=1 bash scripts/bench-anchor.sh 2>/dev/null # the virtualenv, the weights and the WAV, once
elif [ ! -f "$WAV" ]; then
  espeak-ng -v en-us -s 150 -w "$WAV" -f benches/answer-3min.txt
fi
# The two package builds share target/release (one copy per feature set), so each is copied out once built.
bins=target/bench-portable
mkdir -p "$bins"
cargo build --release --quiet --example transcribe_file --features avx512
cp target/release/examples/transcribe_file "$bins/avx512"
cargo build --release --quiet --example transcribe_file
cp target/release/examples/transcribe_file "$bins/floor"
if [ -n "${NATIVE:-}" ]; then
  cp "$NATIVE" "$bins/native"
else
  GGML_NATIVE=ON CARGO_TARGET_DIR=target/native cargo build --release --quiet --example transcribe_file
  cp target/native/release/examples/transcribe_file "$bins/native"
fi
builds=(native floor avx512)
for b in "${builds[@]}"; do "$bins/$b" "$WAV" "$MODEL" >/dev/null 2>&1; done # warm the page cache

printf '%-6s %9s %9s %9s %9s %12s %13s\n' round native_s floor_s avx512_s anchor_s floor_speed avx512_speed
rows=()
for i in $(seq 1 "$ROUNDS"); do
  # rotate which build goes first, so none always runs right after the anchor
  declare -A t=()
  for k in 0 1 2; do
    b=${builds[$(((i + k) % 3))]}
    t[$b]=$("$bins/$b" "$WAV" "$MODEL" 2>/dev/null | cut -d' ' -f1)
  done
  a=nan
  if [ "$ANCHOR" = 1 ]; then
    RUNS=1 bash scripts/bench-anchor.sh 2>/dev/null
    a=$(python3 -c 'import json;print(json.load(open("target/bench-anchor.json"))["seconds"])')
  fi
  n=${t[native]} f=${t[floor]} x=${t[avx512]}
  rows+=("$n,$f,$x,$a")
  printf '%-6s %9.2f %9.2f %9.2f %9s %12.3f %13.3f\n' "$i" "$n" "$f" "$x" "$a" \
    "$(python3 -c "print($n / $f)")" "$(python3 -c "print($n / $x)")"
  unset t
done
python3 - "${rows[@]}" <<'PY'
import math, statistics as st, sys
rows = [tuple(float(x) for x in r.split(",")) for r in sys.argv[1:]]
med = lambda xs: st.median(list(xs))
print(f"median seconds over {len(rows)} alternating rounds: native {med(r[0] for r in rows):.2f}, "
      f"floor {med(r[1] for r in rows):.2f}, avx512 {med(r[2] for r in rows):.2f}")
print(f"speed / native speed (median of rounds; target >= 0.9): floor {med(r[0] / r[1] for r in rows):.3f}, "
      f"avx512 {med(r[0] / r[2] for r in rows):.3f}")
if not any(math.isnan(r[3]) for r in rows):
    print(f"time / faster-whisper int8 (median of rounds): native {med(r[0] / r[3] for r in rows):.3f}, "
          f"floor {med(r[1] / r[3] for r in rows):.3f}, avx512 {med(r[2] / r[3] for r in rows):.3f}")
PY
