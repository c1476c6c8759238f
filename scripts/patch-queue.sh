#!/usr/bin/env bash
# The whisper.cpp patch queue: vendor/patches/NN-name.patch, applied in order to the published
# whisper-rs-sys crate, must give exactly vendor/whisper-rs-sys (what the app builds). See vendor/README.md.
#
#   scripts/patch-queue.sh [check]      pristine crate + queue == vendor/whisper-rs-sys, byte for byte
#                                       (run by scripts/test.sh; a few seconds; fetches the .crate once)
#   scripts/patch-queue.sh apply DIR    DIR becomes a git repository: the pruned pristine crate (tag
#                                       `pristine`) and one commit per patch, its header as the message
#   scripts/patch-queue.sh export DIR   rewrites vendor/patches/ from DIR's commits after `pristine`
#                                       (message = header, file name = the header's first word)
#   scripts/patch-queue.sh prune DIR    deletes from a crate what the vendored copy leaves out
#
# Moving to a new whisper-rs-sys / whisper.cpp is `apply`, a `git rebase` onto the new crate, and `export`:
# the steps are in vendor/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CRATE=whisper-rs-sys
VERSION=0.15.0
SHA256=6986c0fe081241d391f09b9a071fbcbb59720c3563628c3c829057cf69f2a56f # crates.io index's cksum
VENDORED=vendor/whisper-rs-sys
QUEUE=vendor/patches
# Left out of the vendored copy: the GPU backends (the app builds the CPU backend only, and CMake adds a
# backend's folder only when it is turned on) and the crate's packaging metadata.
PRUNE=(.cargo_vcs_info.json .cargo-ok Cargo.toml.orig Cargo.lock
  whisper.cpp/ggml/src/ggml-{cann,cuda,hexagon,hip,metal,musa,opencl,rpc,sycl,vulkan,webgpu,zdnn,zendnn})
# Build artefacts in the vendored tree, not part of the comparison: whisper.cpp's CMakeLists writes
# bindings/javascript/package.json into its source directory (configure_file) when it is configured.
ARTEFACTS=(package.json)

die() {
  echo "patch-queue: $*" >&2
  exit 1
}

# The published .crate, checked against the index's SHA-256: cargo's own download cache if it has it,
# else a copy fetched once from crates.io into target/patch-queue/.
crate_file() {
  local f
  for f in "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$CRATE-$VERSION.crate" "target/patch-queue/$CRATE-$VERSION.crate"; do
    if [ -f "$f" ] && echo "$SHA256  $f" | sha256sum --check --status; then
      echo "$f"
      return
    fi
  done
  f="target/patch-queue/$CRATE-$VERSION.crate"
  mkdir -p target/patch-queue
  echo "patch-queue: fetching $CRATE $VERSION from crates.io" >&2
  local url="https://static.crates.io/crates/$CRATE/$CRATE-$VERSION.crate"
  if command -v curl >/dev/null 2>&1; then
    curl --fail --silent --show-error --location --retry 3 -o "$f.part" "$url"
  else
    python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$url" "$f.part"
  fi ||
    die "could not download $CRATE $VERSION from crates.io (no network?); put $CRATE-$VERSION.crate in target/patch-queue/"
  echo "$SHA256  $f.part" | sha256sum --check --status ||
    die "the downloaded $CRATE-$VERSION.crate does not have the SHA-256 the crates.io index gives ($SHA256)"
  mv "$f.part" "$f"
  echo "$f"
}

prune() {
  local p
  for p in "${PRUNE[@]}"; do rm -rf "${1:?}/$p"; done
}

git_q() { git -C "$1" -c user.name=patch-queue -c user.email=patch-queue@localhost -c commit.gpgsign=false "${@:2}"; }

# The header of a patch: everything before its first `diff --git` line. `git apply` and `patch` skip it,
# so it must not contain a line they would take for the start of a diff.
header() { awk '/^diff --git /{exit} {print}' "$1"; }

# DIR: a git repository holding the pruned pristine crate and the queue as commits (a new, empty DIR).
apply_queue() {
  local dir=$1 crate patch name out
  crate=$(crate_file)
  mkdir -p "$dir"
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
  tar -xzf "$crate" -C "$dir" --strip-components=1
  prune "$dir"
  git_q "$dir" init --quiet
  git_q "$dir" add -A
  git_q "$dir" commit --quiet -m "$CRATE $VERSION as published, pruned (scripts/patch-queue.sh PRUNE)"
  git_q "$dir" tag pristine
  shopt -s nullglob
  local patches=("$ROOT/$QUEUE"/[0-9][0-9]-*.patch)
  ((${#patches[@]})) || die "no patches in $QUEUE"
  for patch in "${patches[@]}"; do
    name=$(basename "$patch" .patch)
    header "$patch" | head -n 1 | grep -q "^$name: " ||
      die "$name: the header's first line must start with \"$name: \" (export names the file from it)"
    if header "$patch" | grep -qE '^(--- |\+\+\+ |@@ |Index: |\*\*\* )'; then
      die "$name: a header line looks like the start of a diff (--- / +++ / @@ / Index: / ***)"
    fi
    if ! out=$(git_q "$dir" apply --index --verbose "$patch" 2>&1); then
      echo "$out" | grep -v '^Checking patch' >&2
      die "$name does not apply (on the pristine crate plus the patches before it)"
    fi
    if echo "$out" | grep -q 'offset'; then
      echo "$out" | grep 'offset' >&2
      die "$name applies only at other line numbers than it says; refresh the queue: scripts/patch-queue.sh apply DIR && scripts/patch-queue.sh export DIR"
    fi
    header "$patch" | git_q "$dir" commit --quiet --cleanup=verbatim -F -
  done
}

check() {
  local first
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/patch-queue.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  apply_queue "$tmp/tree"
  rm -rf "$tmp/tree/.git"
  local excl=()
  for a in "${ARTEFACTS[@]}"; do excl+=(-x "$a"); done
  if ! diff -rq --no-dereference "${excl[@]}" "$tmp/tree" "$VENDORED" >"$tmp/diff" 2>&1; then
    first=$(head -n 1 "$tmp/diff")
    echo "patch-queue: the queue applied to $CRATE $VERSION differs from $VENDORED:" >&2
    cat "$tmp/diff" >&2
    case "$first" in
      Files\ *)
        set -- $first
        diff -u "$2" "$4" | head -n 40 >&2 || true
        ;;
    esac
    case "$first" in
      Files\ *) first="${first#Files "$tmp/tree/"}" && first="${first%% and *} differs" ;;
    esac
    die "first difference: $first (change the patch that makes it, not the vendored copy alone)"
  fi
  # Patch 14's build.rs copies the patched files into its build tree again when they change: it must
  # name every whisper.cpp file the queue touches, or an edit to one would not rebuild the library.
  local f missing=()
  while read -r f; do
    grep -qF "\"${f#whisper.cpp/}\"" "$VENDORED/build.rs" || missing+=("$f")
  done < <(grep -h '^diff --git a/whisper.cpp/' "$QUEUE"/[0-9][0-9]-*.patch | awk '{print substr($3, 3)}' | sort -u)
  ((${#missing[@]} == 0)) || die "build.rs's list of patched files lacks ${missing[*]} (see 14-*.patch)"
  echo "patch-queue: $(ls "$QUEUE"/[0-9][0-9]-*.patch | wc -l) patches on $CRATE $VERSION give $VENDORED exactly"
}

export_queue() {
  local dir=$1 c name
  git -C "$dir" rev-parse --verify --quiet pristine >/dev/null || die "$dir has no tag \`pristine\` (made by apply)"
  local commits
  commits=$(git -C "$dir" rev-list --reverse pristine..HEAD)
  [ -n "$commits" ] || die "$dir has no commits after \`pristine\`"
  rm -f "$QUEUE"/[0-9][0-9]-*.patch
  for c in $commits; do
    name=$(git -C "$dir" log -1 --format=%s "$c" | sed 's/:.*//')
    [[ "$name" =~ ^[0-9][0-9]-[a-z0-9-]+$ ]] || die "commit $c: its first line must start with \"NN-name: \""
    {
      git -C "$dir" log -1 --format=%B "$c" | sed -e '$ { /^$/ d }'
      git -C "$dir" diff-tree -p --no-color --no-renames "$c"^ "$c"
    } >"$QUEUE/$name.patch"
    echo "$QUEUE/$name.patch"
  done
}

case "${1:-check}" in
  check) check ;;
  apply) apply_queue "${2:?usage: patch-queue.sh apply DIR}" ;;
  export) export_queue "${2:?usage: patch-queue.sh export DIR}" ;;
  prune) prune "${2:?usage: patch-queue.sh prune DIR}" ;;
  *) die "usage: patch-queue.sh [check | apply DIR | export DIR | prune DIR]" ;;
esac
