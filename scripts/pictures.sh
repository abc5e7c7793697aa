#!/usr/bin/env bash
# Regenerates the pictures in docs/ from the release binary:
#   docs/who-denied.svg       the seed article's who-denied-what subgraph (:show)
#   docs/putin-timeline.svg   Putin's claims and events on a time axis (:show timeline)
# Usage: cargo build --release && scripts/pictures.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/target/release/newsgraph"
[ -x "$bin" ] || { echo "build the release binary first: cargo build --release" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bin" ingest "$root/data/articles/2025-04-26-kursk.txt" --out "$tmp/seed.ngs" >/dev/null 2>&1
NEWSGRAPH_HISTORY="$tmp/history" "$bin" repl "$tmp/seed.ngs" >/dev/null <<SCRIPT
who denied what
:show $root/docs/who-denied.svg
:show timeline Putin $root/docs/putin-timeline.svg
SCRIPT
echo "wrote docs/who-denied.svg and docs/putin-timeline.svg"
