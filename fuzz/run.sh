#!/bin/sh
# Runs every fuzz target (or those named) for SECONDS each, one at a time,
# at the lowest priority, from the seed corpora that seeds.py writes:
#
#     python3 fuzz/seeds.py
#     SECONDS_PER_TARGET=480 sh fuzz/run.sh [TARGET...]
#
# Logs go to fuzz/logs/TARGET.log; crashes to fuzz/artifacts/TARGET/.
# The figures in docs/reliability.md are the last "DONE" lines of the logs.
set -u
cd "$(dirname "$0")"
secs=${SECONDS_PER_TARGET:-480}
targets=${*:-"query_parser query_exec question snapshot_load model_load extract_article"}
mkdir -p logs
for t in $targets; do
    # max_len: extract_article costs ~4 us a byte (the syntax core on every
    # sentence); 4 KB holds the median bundled article (2 KB) whole, with
    # its header, paragraphs and quotes, and runs ~1.4x faster than 16 KB.
    case $t in
        extract_article) extra="-max_len=4096" ;;
        snapshot_load) extra="-max_len=20000" ;;
        query_parser|query_exec) extra="-max_len=2048" ;;
        *) extra="-max_len=4096" ;;
    esac
    mkdir -p "corpus/$t" "artifacts/$t"
    nice -n 19 cargo +nightly fuzz run -s none "$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 $extra > "logs/$t.log" 2>&1
    echo "$t: exit $?"
done
