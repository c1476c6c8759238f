#!/usr/bin/env bash
# `make dist`: the Debian package target/debian/rehearse_<version>_amd64.deb, for people without Rust.
# Two builds of the app (vendor/README.md, "The portable build"): /usr/bin/rehearse is the one `make test`
# tests, the AVX2 floor every cargo build in the checkout makes (.cargo/config.toml), so after `make test` it
# is not compiled again; /usr/lib/rehearse/rehearse-avx512 has whisper.cpp compiled for ggml's zen4 set of
# AVX-512 instructions (the cargo feature `avx512`), and the floor starts it in its place on a CPU with
# every one of them (src/kernels.rs). Only whisper-rs-sys and what depends on it are compiled twice. Man pages
# and shell completions come from that binary, the PNG icons from the SVG; dpkg-deb packs the file list
# below (no cargo-deb: compiling it would cost CI minutes for what is a dozen lines here).
# scripts/check-package.sh checks the result as a user would.
set -euo pipefail
cd "$(dirname "$0")/.."

APP_ID=io.github.rehearse.Rehearse
OUT=target/debian
ROOT=$OUT/root

say() { echo "dist: $*" >&2; }
die() {
  say "$*"
  exit 1
}

# The package's build flags are .cargo/config.toml's; one from the environment would win over them.
leak=$(env | grep -E '^(GGML|WHISPER|CMAKE)_' | cut -d= -f1 | tr '\n' ' ' || true)
[ -z "$leak" ] || die "unset $leak: the packaged binary is built with .cargo/config.toml's flags only"
case "${RUSTFLAGS:-} ${CARGO_ENCODED_RUSTFLAGS:-}" in
*target-cpu* | *target-feature*) die "RUSTFLAGS name a CPU: the packaged binary must run on any x86-64 CPU with AVX2" ;;
esac

# Tools: rsvg-convert for the icons, dpkg-shlibdeps (dpkg-dev) for the libraries the binary links.
missing=()
command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
command -v dpkg-shlibdeps >/dev/null 2>&1 || missing+=(dpkg-dev)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The AVX-512 build first, so target/release/rehearse is the floor's again at the end (cargo keeps both
# copies of whisper.cpp and the app in target/release, one per feature set: the second build only relinks).
bin=${CARGO_TARGET_DIR:-target}/release/rehearse
bin512=$OUT/rehearse-avx512
mkdir -p "$OUT"
cargo build --release --locked --bin rehearse --features avx512
install -m 755 "$bin" "$bin512"
cargo build --release --locked --bin rehearse
version=$("$bin" -V | awk '{print $2}')
[ -n "$version" ] || die "$bin -V printed no version"

rm -rf "$ROOT"
mkdir -p "$ROOT/DEBIAN"
# dir MODE FILE...: copies FILEs into $ROOT/dir with MODE.
put() {
  local dir=$1 mode=$2
  shift 2
  mkdir -p "$ROOT/$dir"
  install -m "$mode" "$@" "$ROOT/$dir/"
}
put usr/bin 755 "$bin"
# A program run by the package's own programs, not by people: in /usr/lib/<package> (Debian policy 9.1.1).
put usr/lib/rehearse 755 "$bin512"
# As dh_strip does: the symbols and the compiler's notes out (the line tables make the binary 4x larger).
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$ROOT/usr/bin/rehearse" \
  "$ROOT/usr/lib/rehearse/rehearse-avx512"

put usr/share/applications 644 "packaging/$APP_ID.desktop"
put usr/share/metainfo 644 "packaging/$APP_ID.metainfo.xml"
put usr/share/icons/hicolor/scalable/apps 644 "packaging/$APP_ID.svg"
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "$ROOT/usr/share/icons/hicolor/${size}x$size/apps"
  rsvg-convert -w "$size" -h "$size" "packaging/$APP_ID.svg" -o "$ROOT/usr/share/icons/hicolor/${size}x$size/apps/$APP_ID.png"
done

# From the binary: the man pages (the same clap definition as --help) and the completions, where bash
# (bash-completion), zsh (Debian's vendor-completions, on its $fpath) and fish look for them.
mkdir -p "$ROOT/usr/share/man/man1"
"$bin" man --dir "$ROOT/usr/share/man/man1"
gzip -9n "$ROOT"/usr/share/man/man1/*.1
mkdir -p "$ROOT/usr/share/bash-completion/completions" "$ROOT/usr/share/zsh/vendor-completions" \
  "$ROOT/usr/share/fish/vendor_completions.d"
"$bin" completions bash >"$ROOT/usr/share/bash-completion/completions/rehearse"
"$bin" completions zsh >"$ROOT/usr/share/zsh/vendor-completions/_rehearse"
"$bin" completions fish >"$ROOT/usr/share/fish/vendor_completions.d/rehearse.fish"

# The licences: the app and whisper.cpp (copyright), the crates it links (cargo-about's list, checked against
# Cargo.lock), the models it downloads. Large text files gzipped, as dh_compress does.
put usr/share/doc/rehearse 644 packaging/copyright packaging/model-licenses.md \
  packaging/third-party-licenses.md README.md
cp packaging/changelog "$ROOT/usr/share/doc/rehearse/changelog"
gzip -9n "$ROOT"/usr/share/doc/rehearse/{changelog,third-party-licenses.md,README.md}
mkdir -p "$ROOT/usr/share/lintian/overrides"
install -m 644 packaging/lintian-overrides "$ROOT/usr/share/lintian/overrides/rehearse"

# Depends: the libraries the binary links (dpkg-shlibdeps: libc, libstdc++, libgcc, ALSA) and what it opens
# at run time, which dpkg-shlibdeps cannot see (packaging/control.in): espeak-ng (questions asked aloud),
# ALSA's way to the desktop's sound server (PulseAudio's plugin, or PipeWire's), and what the window
# dlopens (winit and glutin: OpenGL/EGL, X11 and Wayland, the keyboard map; fontconfig for system fonts).
shlibs_dir=$(mktemp -d)
trap 'rm -rf "$shlibs_dir"' EXIT
mkdir -p "$shlibs_dir/debian"
touch "$shlibs_dir/debian/control"
shlibs=$(cd "$shlibs_dir" && dpkg-shlibdeps -O "$OLDPWD/$ROOT/usr/bin/rehearse" \
  "$OLDPWD/$ROOT/usr/lib/rehearse/rehearse-avx512" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no libraries for $ROOT/usr/bin/rehearse"
size=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@SHLIBS@/$shlibs/" packaging/control.in \
  >"$ROOT/DEBIAN/control"
(cd "$ROOT" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$ROOT/DEBIAN/md5sums"
chmod 644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/md5sums"
find "$ROOT" -type d -exec chmod 755 {} +

# xz as Debian's own packages (35 MB, 17 MB per build; 42 s of CPU here); COMPRESS=gzip for a check that throws
# the package away (41 MB, 8 s: scripts/check-package.sh).
deb=$OUT/rehearse_${version}_amd64.deb
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)} \
  dpkg-deb --root-owner-group -Z"${COMPRESS:-xz}" --build "$ROOT" "$deb" >/dev/null
say "$deb ($(du -h "$deb" | cut -f1))"
