#!/usr/bin/env bash
# Batch transcription of the 3-minute answer: rehearse (`examples/transcribe_file.rs`, default model) against
# faster-whisper int8 (`bench-anchor.sh`), both timed over the same work (read and resample the WAV, then
# transcribe it; the model loaded before), run in alternation, ROUNDS times, so that both see the same machine: a shared 2-core
# machine's speed drifts by ±20 % within minutes, and two best-of-3 runs minutes apart can disagree by more
# than the difference being measured. Prints each round and the median of the per-round ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-5}"
MODEL="${MODEL:-tiny.en-q8_0}"
WAV=target/bench-answer-3min.wav
RUNS=1 bash scripts/bench-anchor.sh 2>/dev/null # the virtualenv, the weights and the WAV, once
cargo build --release --quiet --example transcribe_file
bin=target/release/examples/transcribe_file
"$bin" "$WAV" "$MODEL" >/dev/null 2>&1 # warm the page cache
printf '%-6s %12s %12s %7s\n' round anchor_s rehearse_s ratio
ratios=()
for i in $(seq 1 "$ROUNDS"); do
    RUNS=1 bash scripts/bench-anchor.sh 2>/dev/null
    a=$(python3 -c 'import json;print(json.load(open("target/bench-anchor.json"))["seconds"])')
    r=$("$bin" "$WAV" "$MODEL" 2>/dev/null | cut -d' ' -f1)
    ratio=$(python3 -c "print(round($r / $a, 3))")
    ratios+=("$ratio")
    printf '%-6s %12.2f %12.2f %7.3f\n' "$i" "$a" "$r" "$ratio"
done
python3 - "${ratios[@]}" <<'PY'
import statistics, sys
r = sorted(float(x) for x in sys.argv[1:])
print(f"ratio rehearse / faster-whisper int8: median {statistics.median(r):.3f}, best {r[0]:.3f}, worst {r[-1]:.3f} "
      f"over {len(r)} alternating rounds (target <= 0.8)")
PY
