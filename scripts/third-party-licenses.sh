#!/usr/bin/env bash
# The licences of the crates the binary links: packaging/third-party-licenses.md, shipped in the package.
#
#   bash scripts/third-party-licenses.sh           regenerate it with cargo-about (installed if missing; a few
#                                                  minutes to compile once) after Cargo.lock changed
#   bash scripts/third-party-licenses.sh --check   cheap (no cargo-about; for CI): the file names exactly the
#                                                  crates and versions that Cargo.lock puts in the binary
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_ABOUT_VERSION=0.9.3
FILE=packaging/third-party-licenses.md

if [ "${1:-}" != --check ]; then
  if [ "$(cargo about --version 2>/dev/null | awk '{print $2}')" != "$CARGO_ABOUT_VERSION" ]; then
    echo "third-party-licenses: installing cargo-about $CARGO_ABOUT_VERSION" >&2
    cargo install --quiet --locked --features cli cargo-about --version "$CARGO_ABOUT_VERSION"
  fi
  cargo about generate --locked --fail -c packaging/about.toml packaging/third-party-licenses.hbs -o "$FILE"
fi

# The crates the binary links: what `rehearse` reaches through normal (not build, not dev) dependencies on
# Linux x86-64, with the features a normal build turns on — the same set cargo-about walks.
want=$(cargo tree --locked -e normal --target x86_64-unknown-linux-gnu --prefix none -f '{p}' |
  sed 's/ (.*//; s/ v/ /' | sort -u)
have=$(sed -n 's/^- `\(\S*\) \(\S*\)`$/\1 \2/p' "$FILE" | sort -u)
if [ "$want" != "$have" ]; then
  echo "third-party-licenses: $FILE does not match Cargo.lock (run: bash scripts/third-party-licenses.sh)" >&2
  diff <(echo "$want") <(echo "$have") | sed -n 's/^< /  missing: /p; s/^> /  not linked: /p' >&2
  exit 1
fi
echo "third-party-licenses: $FILE names the $(echo "$want" | wc -l) crates the binary links" >&2
