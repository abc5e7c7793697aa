"""Measured growth: `newsgraph ingest` in one process against the Spark job
at local[1] and local[2], on the bundled corpus replicated N times.

    target/scale-venv/bin/python scale/bench.py [--sizes 1 10 100] [--bin PATH]

Copy k of an article is `<name>-c<k>.txt` with "Archive copy k of this
report." appended (as bench/ingest_scale.sh), so neither the file-name nor
the same-content check of ingest skips it. For each size and runner it
prints one JSON line: articles, wall seconds, articles per second, peak
memory (the summed RSS of the runner and all its descendants, sampled every
0.2 s: for Spark the JVM, the Python workers and the extractor processes) and the merge's share of
the wall time (ingest: `--timings`' merge stage; Spark: the job's own
timing of the cross-article merge, its entity, claim and event
resolution).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_corpus(n, out):
    src = os.path.join(ROOT, "data", "articles")
    os.makedirs(out, exist_ok=True)
    names = sorted(f for f in os.listdir(src) if f.endswith(".txt"))
    for k in range(n):
        for f in names:
            text = open(os.path.join(src, f), "rb").read()
            if k == 0:
                dst = f
            else:
                dst = f"{f[:-4]}-c{k}.txt"
                text = text.rstrip(b"\n") + f"\n\nArchive copy {k} of this report.\n".encode()
            with open(os.path.join(out, dst), "wb") as w:
                w.write(text)
    return len(names) * n


def tree_rss_mib(root):
    """The summed RSS of a process and all its descendants, from /proc."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, stack = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            pass
        stack.extend(children.get(pid, []))
    return total / (1 << 20)


def timed(cmd, **kw):
    """Runs cmd; returns (wall seconds, peak summed RSS in MiB of its process
    tree, sampled every 0.2 s, and its stderr)."""
    t = time.time()
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, **kw)
        peak = 0.0
        while p.poll() is None:
            peak = max(peak, tree_rss_mib(p.pid))
            time.sleep(0.2)
        wall = time.time() - t
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if p.returncode != 0:
        sys.exit(f"{cmd} failed:\n{text[-3000:]}")
    return wall, peak, text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "newsgraph"))
    ap.add_argument("--runners", nargs="+", default=["ingest", "local[1]", "local[2]"])
    ap.add_argument("--dir", default=None, help="work folder (default: a temporary one)")
    a = ap.parse_args()
    work = a.dir or tempfile.mkdtemp(prefix="newsgraph-scale-bench-")
    try:
        for n in a.sizes:
            corpus = os.path.join(work, f"{n}x")
            shutil.rmtree(corpus, ignore_errors=True)
            articles = make_corpus(n, corpus)
            for runner in a.runners:
                # each measurement in its own Python process
                out = subprocess.run(
                    [sys.executable, __file__, "--one", runner, corpus, a.bin, work],
                    capture_output=True, text=True)
                if out.returncode != 0:
                    sys.exit(out.stderr[-3000:])
                r = json.loads(out.stdout)
                r.update({"size": f"{n}x", "articles": articles, "runner": runner,
                          "articles_per_s": round(articles / r["wall_s"], 1)})
                print(json.dumps(r), flush=True)
            shutil.rmtree(corpus, ignore_errors=True)
    finally:
        if a.dir is None:
            shutil.rmtree(work, ignore_errors=True)


def one(runner, corpus, binary, work):
    if runner == "ingest":
        snap = os.path.join(work, "bench.ngs")
        wall, peak, err = timed([binary, "ingest", corpus, "--out", snap, "--timings"])
        merge = [float(l.split()[2]) for l in err.splitlines() if l.startswith("timing merge ")]
        os.remove(snap)
        share = merge[0] / wall if merge else None
    else:
        out = os.path.join(work, "bench-tables")
        stats = os.path.join(work, "bench-stats.json")
        wall, peak, _ = timed([sys.executable, os.path.join(ROOT, "scale", "job.py"),
                               "--master", runner, "--articles", corpus, "--out", out,
                               "--binary", binary, "--stats", stats], cwd=work)
        s = json.load(open(stats))
        share = s["merge_s"] / wall
        shutil.rmtree(out, ignore_errors=True)
    print(json.dumps({"wall_s": round(wall, 2), "peak_mib": round(peak),
                      "merge_share": None if share is None else round(share, 3)}))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        one(*sys.argv[2:6])
    else:
        main()
