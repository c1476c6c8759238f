#!/usr/bin/env bash
# Checks that a portable binary (any build in the checkout but `make run`'s; the packaged one) works on an older
# x86-64 CPU and hears the same words there: `rehearse transcribe` of the 15 s spoken fixture, run under
# qemu's model of an Intel Haswell (AVX2, FMA, F16C; no AVX-512; Debian package qemu-user), must print
# exactly what the same binary prints on this CPU. When this CPU has AVX-512, the builds for it must die
# with SIGILL in the same emulator, which shows the emulated CPU really is older, so a passing check means
# something: the native build (`make run`'s target/native/release/rehearse, -march=native) and the
# package's AVX-512 build (<prefix>/lib/rehearse/rehearse-avx512 beside <prefix>/bin/rehearse), where there.
# The package's floor must keep itself there (src/kernels.rs: qemu's Haswell has no AVX-512); on this CPU
# it runs with REHEARSE_CPU=floor, so the two runs compare the same code.
#
#   scripts/check-portable.sh BINARY [MODEL]    MODEL: a ggml file (default models/ggml-tiny.en-q8_0.bin)
#   NATIVE=path/to/native/rehearse              the SIGILL contrast (default target/native/release/rehearse)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:?usage: scripts/check-portable.sh BINARY [MODEL]}
MODEL=${2:-models/ggml-tiny.en-q8_0.bin}
NATIVE=${NATIVE:-target/native/release/rehearse}
WAV=tests/fixtures/speech.wav
CPU=Haswell

die() {
  echo "check-portable: $*" >&2
  exit 1
}
command -v qemu-x86_64 >/dev/null 2>&1 ||
  die "qemu-x86_64 is missing: install Debian's qemu-user (sudo apt-get install qemu-user)"
[ -x "$BIN" ] || die "$BIN is not an executable (build it with: cargo build --release, or make dist)"
[ -f "$MODEL" ] || die "no model at $MODEL (make setup converts it, or pass a ggml file)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-portable.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The contrast first: a binary built for this CPU must fail in the emulator, or the emulator checks nothing.
AVX512=$(dirname "$(dirname "$(realpath "$BIN")")")/lib/rehearse/rehearse-avx512
contrasts=0
if grep -qw avx512f /proc/cpuinfo; then
  for other in "$NATIVE" "$AVX512"; do
    [ -x "$other" ] || continue
    set +e
    qemu-x86_64 -cpu "$CPU" "$other" transcribe --model "$MODEL" "$WAV" >/dev/null 2>"$tmp/other.err"
    status=$?
    set -e
    [ "$status" = 132 ] ||
      die "$other (built for AVX-512) exited with $status under qemu -cpu $CPU, not with SIGILL (132): the emulated CPU is not older than this one, so this check would prove nothing"
    echo "check-portable: $other dies with SIGILL on the emulated $CPU, as it should"
    contrasts=$((contrasts + 1))
  done
fi
((contrasts)) || echo "check-portable: no AVX-512 here, or no build for it ($NATIVE, $AVX512): the SIGILL contrast is skipped"

REHEARSE_CPU=floor "$BIN" transcribe --model "$MODEL" "$WAV" >"$tmp/here.txt" 2>"$tmp/here.err" ||
  die "$BIN transcribe failed on this CPU: $(tail -n 3 "$tmp/here.err")"
[ -s "$tmp/here.txt" ] || die "$BIN transcribe printed nothing for $WAV"
qemu-x86_64 -cpu "$CPU" "$BIN" --version >"$tmp/version.txt" 2>/dev/null ||
  die "$BIN --version fails under qemu -cpu $CPU"
if grep -q '^whisper.cpp kernels: AVX-512' "$tmp/version.txt"; then
  die "$BIN chose its AVX-512 build on the emulated $CPU: $(tail -n 1 "$tmp/version.txt")"
fi
echo "check-portable: on the emulated $CPU, $(sed -n 's/^whisper.cpp kernels: /whisper.cpp kernels: /p' "$tmp/version.txt")"
if ! qemu-x86_64 -cpu "$CPU" "$BIN" transcribe --model "$MODEL" "$WAV" >"$tmp/old.txt" 2>"$tmp/old.err"; then
  die "$BIN transcribe fails on the emulated $CPU (SIGILL is exit 132): $(tail -n 3 "$tmp/old.err")"
fi
if ! cmp -s "$tmp/here.txt" "$tmp/old.txt"; then
  diff "$tmp/here.txt" "$tmp/old.txt" >&2 || true
  die "$BIN hears other words on the emulated $CPU than on this CPU"
fi
echo "check-portable: $BIN transcribes $WAV on the emulated $CPU, word for word as on this CPU:"
cat "$tmp/old.txt"
