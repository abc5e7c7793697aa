#!/usr/bin/env bash
# Ingest at scale: builds corpora of the bundled articles copied N times
# (distinct file names and distinct texts) and times `newsgraph ingest` on
# each, then snapshot load and `stats` on the result.
#
#   bench/ingest_scale.sh [SIZES...]        # default: 1 10 100 1000
#
# Environment: NG_SCALE_DIR (default /tmp/ngscale) holds the corpora and
# snapshots; NG_BIN (default target/release/newsgraph); NG_KEEP=1 keeps the
# corpora afterwards (they are deleted otherwise; the 1000x one is 1.3 GB).
#
# Copy k of an article is written as <name>-c<k>.txt with one sentence
# appended ("Archive copy k of this report."), so neither the file-name
# check nor the same-content check of ingest skips it, while extraction
# does all its work on every copy.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("${@:-1 10 100 1000}")
read -r -a SIZES <<<"${SIZES[*]}"
DIR=${NG_SCALE_DIR:-/tmp/ngscale}
BIN=${NG_BIN:-target/release/newsgraph}
[ -x "$BIN" ] || cargo build --release
mkdir -p "$DIR"

make_corpus() { # N -> $DIR/<N>x
    local n=$1 out="$DIR/${1}x"
    if [ -f "$out/.done" ]; then return; fi
    rm -rf "$out"
    python3 - "$n" "$out" <<'PY'
import os, sys
n, out = int(sys.argv[1]), sys.argv[2]
src = "data/articles"
arts = sorted(f for f in os.listdir(src) if f.endswith(".txt"))
texts = [(f[:-4], open(os.path.join(src, f), "rb").read()) for f in arts]
for k in range(n):
    d = os.path.join(out, "c%04d" % k)
    os.makedirs(d)
    tail = ("\n\nArchive copy %d of this report.\n" % k).encode()
    for stem, t in texts:
        with open(os.path.join(d, "%s-c%04d.txt" % (stem, k)), "wb") as fh:
            fh.write(t.rstrip(b"\n") + tail)
PY
    touch "$out/.done"
}

printf '| copies | files | text MB | wall s | MB/s | ms/article | peak RSS MB | extract s | merge s | merge share | save s | nodes | rels | load s | stats s |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${SIZES[@]}"; do
    make_corpus "$n"
    corpus="$DIR/${n}x"
    snap="$DIR/${n}x.ngs"
    files=$(find "$corpus" -name '*.txt' | wc -l)
    bytes=$(find "$corpus" -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {print s}')
    log="$DIR/${n}x.log"
    /usr/bin/time -v "$BIN" ingest --timings "$corpus" -o "$snap" 2>"$log" >/dev/null
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" |
        awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
    t() { awk -v k="$1" '$1=="timing" && $2==k {print $3}' "$log"; }
    ext=$(t extract); mrg=$(t merge); sav=$(t save)
    # load + stats in one process: `stats` prints its own load and answer times
    slog="$DIR/${n}x.stats"
    "$BIN" stats --timings "$snap" >"$slog" 2>&1
    nodes=$(awk '$2=="nodes," {print $1; exit}' "$slog")
    rels=$(awk '$2=="nodes," {print $3; exit}' "$slog")
    load=$(awk '$1=="timing" && $2=="load" {print $3}' "$slog")
    st=$(awk '$1=="timing" && $2=="stats" {print $3}' "$slog")
    awk -v n="$n" -v f="$files" -v b="$bytes" -v w="$wall" -v r="$rss" -v e="$ext" \
        -v m="$mrg" -v s="$sav" -v no="$nodes" -v re="$rels" -v l="$load" -v st="$st" 'BEGIN {
        printf "| %dx | %d | %.1f | %.2f | %.2f | %.3f | %d | %.2f | %.2f | %.0f %% | %.2f | %s | %s | %.2f | %.3f |\n",
            n, f, b/1e6, w, b/1e6/w, w*1000/f, r, e, m, 100*m/w, s, no, re, l, st }'
    [ "${NG_KEEP:-0}" = 1 ] || rm -rf "$corpus"
done
