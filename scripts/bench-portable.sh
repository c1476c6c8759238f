#!/usr/bin/env bash
# What the portable build (every build but `make run`'s: .cargo/config.toml's AVX2 floor, no -march=native)
# costs against `make run`'s native build (target/native) on this machine: batch transcription of the
# 3-minute answer by examples/transcribe_file (model loaded before the clock, as in scripts/bench-ratio.sh) from each build,
# and faster-whisper int8 (scripts/bench-anchor.sh) as the anchor, run in alternation ROUNDS times so all
# see the same machine (a shared machine's speed drifts by ±20 % within minutes). Prints each round and
# the medians: portable speed / native speed (target >= 0.9) and each build's time / faster-whisper's.
# A benchmark, not a test: `make bench-portable`; ANCHOR=0 leaves faster-whisper out.
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
cargo build --release --quiet --example transcribe_file
GGML_NATIVE=ON CARGO_TARGET_DIR=target/native cargo build --release --quiet --example transcribe_file
native=target/native/release/examples/transcribe_file
portable=target/release/examples/transcribe_file
"$native" "$WAV" "$MODEL" >/dev/null 2>&1 # warm the page cache
"$portable" "$WAV" "$MODEL" >/dev/null 2>&1

printf '%-6s %10s %11s %10s %9s\n' round native_s portable_s anchor_s speed
rows=()
for i in $(seq 1 "$ROUNDS"); do
  # alternate which build goes first, so neither always runs right after the anchor
  if ((i % 2)); then
    n=$("$native" "$WAV" "$MODEL" 2>/dev/null | cut -d' ' -f1)
    p=$("$portable" "$WAV" "$MODEL" 2>/dev/null | cut -d' ' -f1)
  else
    p=$("$portable" "$WAV" "$MODEL" 2>/dev/null | cut -d' ' -f1)
    n=$("$native" "$WAV" "$MODEL" 2>/dev/null | cut -d' ' -f1)
  fi
  a=nan
  if [ "$ANCHOR" = 1 ]; then
    RUNS=1 bash scripts/bench-anchor.sh 2>/dev/null
    a=$(python3 -c 'import json;print(json.load(open("target/bench-anchor.json"))["seconds"])')
  fi
  rows+=("$n,$p,$a")
  printf '%-6s %10.2f %11.2f %10s %9.3f\n' "$i" "$n" "$p" "$a" "$(python3 -c "print($n / $p)")"
done
python3 - "${rows[@]}" <<'PY'
import math, statistics, sys
rows = [tuple(float(x) for x in r.split(",")) for r in sys.argv[1:]]
speed = statistics.median(n / p for n, p, _ in rows)
print(f"portable / native speed: median {speed:.3f} over {len(rows)} alternating rounds (target >= 0.9); "
      f"median seconds native {statistics.median(n for n, _, _ in rows):.2f}, "
      f"portable {statistics.median(p for _, p, _ in rows):.2f}")
if not any(math.isnan(a) for _, _, a in rows):
    print(f"time / faster-whisper int8: native {statistics.median(n / a for n, _, a in rows):.3f}, "
          f"portable {statistics.median(p / a for _, p, a in rows):.3f} (median of rounds)")
PY
