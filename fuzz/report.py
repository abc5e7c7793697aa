#!/usr/bin/env python3
"""Prints the figures of the last fuzzing run (fuzz/logs/*.log, written by
run.sh) as a Markdown table: executions, run time, coverage (libFuzzer's
`cov`: edges, `ft`: features), corpus size and what stopped the run."""

import glob
import os
import re

LOGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "logs")

print("| target | executions | run time | exec/s | cov | ft | corpus | ended |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for path in sorted(glob.glob(os.path.join(LOGS, "*.log"))):
    text = open(path, encoding="utf-8", errors="replace").read()
    name = os.path.basename(path)[:-4]
    status = [l for l in text.splitlines() if re.match(r"#\d+\s", l)]
    last = status[-1] if status else ""
    get = lambda k: (re.search(k + r":\s*(\d+)", last) or [None, "?"])[1]
    corp = (re.search(r"corp: (\d+)", last) or [None, "?"])[1]
    execs = (re.search(r"stat::number_of_executed_units:\s*(\d+)", text) or [None, None])[1]
    if execs is None:
        execs = (re.match(r"#(\d+)", last) or [None, "?"])[1]
    rate = (re.search(r"stat::average_exec_per_sec:\s*(\d+)", text) or [None, None])[1]
    m = re.search(r"Done (\d+) runs in (\d+) second", text)
    secs = m.group(2) if m else None
    if secs is None and rate and execs and int(rate) > 0:
        secs = str(int(execs) // int(rate))
    if "ERROR: libFuzzer: timeout" in text:
        ended = "timeout (hang found)"
    elif "ERROR: libFuzzer: out-of-memory" in text:
        ended = "out of memory"
    elif "panicked" in text or "deadly signal" in text:
        ended = "crash"
    elif m:
        ended = "time limit, no crash"
    else:
        ended = "running or stopped"
    print(
        f"| {name} | {execs} | {secs or '?'} s | {rate or '?'} | {get('cov')} | {get('ft')} | {corp} | {ended} |"
    )
