#!/usr/bin/env bash
# Ingest at scale: the bundled articles copied N times (distinct file names
# and distinct texts), ingested, then the snapshot loaded and `stats` run.
#
#   bench/ingest_scale.sh [SIZES...]            # default: 1 10 100 1000
#   NG_MODE=merge bench/ingest_scale.sh 1000    # the merge alone (see below)
#
# NG_MODE=ingest (default): writes the corpus (copy k of an article is
#   <name>-c<k>.txt with "Archive copy k of this report." appended, so
#   neither the file-name nor the same-content check of ingest skips it and
#   extraction does all its work on every copy) and times
#   `newsgraph ingest --timings` on it.
# NG_MODE=merge: `newsgraph bench-merge --copies N`: extracts the bundled
#   articles once and merges N copies of the extractions, renamed and with
#   the same line appended to the text, through the same batch merge; for
#   the merge, snapshot and memory at sizes whose extraction would take too
#   long to repeat (extraction cost per article does not depend on N).
#
# Environment: NG_SCALE_DIR (default /tmp/ngscale) holds corpora and
# snapshots; NG_BIN (default target/release/newsgraph); NG_KEEP=1 keeps the
# corpora and snapshots (deleted otherwise; the 1000x corpus is 1.3 GB).
# Columns: wall and CPU seconds of the whole command (/usr/bin/time), text
# MB/s over wall, the merge's wall seconds and share of the wall, the
# merge's CPU milliseconds per article in the first and last tenth of the
# run (merge mode), the save, peak RSS, node and relationship counts, and
# snapshot load and `stats` times (`stats --timings`, its own process).
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a SIZES <<<"${*:-1 10 100 1000}"
MODE=${NG_MODE:-ingest}
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

base_bytes=$(find data/articles -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {print s}')
base_files=$(find data/articles -name '*.txt' | wc -l)
printf 'mode %s, %s, %s\n' "$MODE" "$(nproc) cores" "$(date -u +%FT%TZ)"
printf '| copies | files | text MB | wall s | CPU s | MB/s | merge s | merge share | merge ms/article CPU (first / last tenth) | save s | peak RSS MB | nodes | rels | load s | stats s |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${SIZES[@]}"; do
    snap="$DIR/${n}x.ngs"
    log="$DIR/${n}x-$MODE.log"
    if [ "$MODE" = merge ]; then
        files=$((base_files * n))
        bytes=$((base_bytes * n))
        /usr/bin/time -v nice -n 5 "$BIN" bench-merge --copies "$n" -o "$snap" 2>"$log" >/dev/null
    else
        make_corpus "$n"
        corpus="$DIR/${n}x"
        files=$(find "$corpus" -name '*.txt' | wc -l)
        bytes=$(find "$corpus" -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {print s}')
        /usr/bin/time -v nice -n 5 "$BIN" ingest --timings "$corpus" -o "$snap" 2>"$log" >/dev/null
    fi
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" |
        awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
    t() { awk -v k="$1" '$1=="timing" && $2==k {print $3; exit}' "$log"; }
    mrg=$(t merge); sav=$(t save)
    first=$(t merge-tenth-1 | head -1); last=$(t merge-tenth-10 | head -1)
    cpu1=$(awk '$2=="merge-tenth-1" {print $6}' "$log"); cpu10=$(awk '$2=="merge-tenth-10" {print $6}' "$log")
    slog="$DIR/${n}x.stats"
    "$BIN" stats --timings "$snap" >"$slog" 2>&1
    nodes=$(awk '$2=="nodes," {print $1; exit}' "$slog")
    rels=$(awk '$2=="nodes," {print $3; exit}' "$slog")
    load=$(awk '$1=="timing" && $2=="load" {print $3}' "$slog")
    st=$(awk '$1=="timing" && $2=="stats" {print $3}' "$slog")
    awk -v n="$n" -v f="$files" -v b="$bytes" -v w="$wall" -v c="$cpu" -v r="$rss" \
        -v m="$mrg" -v s="$sav" -v no="$nodes" -v re="$rels" -v l="$load" -v st="$st" \
        -v c1="${cpu1:-}" -v c10="${cpu10:-}" 'BEGIN {
        tenths = (c1 == "") ? "" : sprintf("%.3f / %.3f", c1, c10)
        printf "| %dx | %d | %.1f | %.1f | %.1f | %.2f | %.2f | %.0f %% | %s | %.2f | %d | %s | %s | %.2f | %.3f |\n",
            n, f, b/1e6, w, c, b/1e6/w, m, 100*m/w, tenths, s, r, no, re, l, st }'
    if [ "${NG_KEEP:-0}" != 1 ]; then
        rm -f "$snap"
        [ "$MODE" = merge ] || rm -rf "$DIR/${n}x"
    fi
done
