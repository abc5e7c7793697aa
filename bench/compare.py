#!/usr/bin/env python3
"""newsgraph vs Kuzu, side by side, on the same generated news-like graph.

    python3 bench/compare.py --nodes 1000000 --edges 10000000

Creates bench/.venv with kuzu==0.11.3 on first use and re-runs itself
there, builds newsgraph (cargo build --release), generates the CSVs with
`newsgraph generate` under bench/out/, then times in separate processes:

  * CSV load: `newsgraph import` (CSV -> graph -> snapshot) vs Kuzu
    CREATE TABLE + COPY FROM (Kuzu gets the same rows split per label and
    per relationship type, as its schema needs; the split is not timed);
  * reopening: snapshot load vs opening the Kuzu database;
  * queries, each run --repeat times inside one long-lived process per
    system (`newsgraph bench-queries` / one Kuzu connection).

Prints the median of each system, the ratio newsgraph / Kuzu, peak RSS of
every process, and checks that both systems return the same counts.
"""

import argparse
import csv
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV = os.path.join(HERE, ".venv")
KUZU = "kuzu==0.11.3"
# a query still running after this long is stopped and reported as a timeout
TIMEOUT_S = 120


def ensure_venv():
    """Re-executes this script inside bench/.venv (created with kuzu)."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        print(f"creating {VENV} with {KUZU} …", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "-q", KUZU])
    os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])


def peak_rss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# ---------------------------------------------------------------- Kuzu side


def kuzu_type(values):
    vals = [v for v in values if v != ""]
    if not vals:
        return None
    for t, f in (("INT64", int), ("DOUBLE", float)):
        try:
            for v in vals:
                f(v)
            return t
        except ValueError:
            pass
    return "STRING"


def split_for_kuzu(nodes_csv, edges_csv, outdir):
    """Splits the CSVs per label and per (type, source label, target label).
    Returns the schema statements and COPY statements."""
    os.makedirs(outdir, exist_ok=True)
    label_of = {}
    by_label = defaultdict(list)
    with open(nodes_csv, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        for row in r:
            label = row[1].split(";")[0]
            label_of[row[0]] = label
            by_label[label].append(row)
    node_props = header[2:]
    stmts, copies = [], []
    for label, rows in sorted(by_label.items()):
        cols = []
        keep = []
        for i, p in enumerate(node_props):
            t = kuzu_type(r[2 + i] for r in rows[:10000])
            if t:
                cols.append(f"{p} {t}")
                keep.append(2 + i)
        path = os.path.join(outdir, f"node_{label}.csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id"] + [node_props[i - 2] for i in keep])
            for row in rows:
                w.writerow([row[0]] + [row[i] for i in keep])
        stmts.append(
            f"CREATE NODE TABLE {label}(id INT64 PRIMARY KEY{''.join(', ' + c for c in cols)})"
        )
        copies.append(f"COPY {label} FROM '{path}' (header=true)")
    del by_label
    groups = defaultdict(list)
    with open(edges_csv, newline="") as f:
        r = csv.reader(f)
        eh = next(r)
        for row in r:
            groups[(row[2], label_of[row[0]], label_of[row[1]])].append(
                [row[0], row[1]] + row[3:]
            )
    edge_props = eh[3:]
    types = defaultdict(list)
    for (t, a, b) in groups:
        types[t].append((a, b))
    for t, pairs in sorted(types.items()):
        cols = []
        keep = []
        sample = [row for (tt, _, _), rows in groups.items() if tt == t for row in rows[:2000]]
        for i, p in enumerate(edge_props):
            ty = kuzu_type(row[2 + i] for row in sample)
            if ty:
                cols.append(f"{p} {ty}")
                keep.append(2 + i)
        froms = ", ".join(f"FROM {a} TO {b}" for a, b in sorted(pairs))
        stmts.append(f"CREATE REL TABLE {t}({froms}{''.join(', ' + c for c in cols)})")
        for a, b in sorted(pairs):
            path = os.path.join(outdir, f"rel_{t}_{a}_{b}.csv")
            with open(path, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["from", "to"] + [edge_props[i - 2] for i in keep])
                for row in groups[(t, a, b)]:
                    w.writerow([row[0], row[1]] + [row[i] for i in keep])
            extra = f", from='{a}', to='{b}'" if len(pairs) > 1 else ""
            copies.append(f"COPY {t} FROM '{path}' (header=true{extra})")
    return stmts, copies


def kuzu_load(db, stmts_file):
    import kuzu

    with open(stmts_file) as f:
        spec = json.load(f)
    if os.path.exists(db):
        shutil.rmtree(db) if os.path.isdir(db) else os.remove(db)
    t = time.perf_counter()
    d = kuzu.Database(db)
    c = kuzu.Connection(d)
    for s in spec["schema"] + spec["copy"]:
        c.execute(s)
    c.close()
    d.close()
    load = time.perf_counter() - t
    print(json.dumps({"load_s": load, "peak_rss_kib": peak_rss_kib()}))


def kuzu_queries(db, queries_file, repeat):
    import kuzu

    with open(queries_file) as f:
        items = json.load(f)
    t = time.perf_counter()
    d = kuzu.Database(db)
    c = kuzu.Connection(d)
    c.execute("RETURN 1").get_all()
    open_s = time.perf_counter() - t
    c.set_query_timeout(int(TIMEOUT_S * 1000))
    results = []
    for it in items:
        times, count, error = [], 0, None
        for _ in range(max(1, repeat)):
            t = time.perf_counter()
            total = 0
            try:
                for q in it["queries"]:
                    for row in c.execute(q).get_all():
                        if row and isinstance(row[-1], int):
                            total += row[-1]
            except Exception as e:  # report, keep going
                error = f"{q}: {e}"
            times.append(time.perf_counter() - t)
            count = total
            if error:
                if "timeout" in error.lower() or "interrupted" in error.lower():
                    error = None
                    it["timeout"] = True
                    count = None
                break
        print(f"kuzu {it['name']}: {statistics.median(times):.4f} s (count {count})", file=sys.stderr)
        results.append(
            {"name": it["name"], "times": times, "count": count, "error": error, "timeout": it.get("timeout", False)}
        )
    print(json.dumps({"load_s": open_s, "peak_rss_kib": peak_rss_kib(), "results": results}))


# ---------------------------------------------------------------- driver


def run_json(cmd, **kw):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, **kw)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["wall_s"] = wall
    return out


def pick_starts(nodes_csv, k, rng):
    """k random nodes (id, label, name), sampled uniformly."""
    rows = []
    with open(nodes_csv, newline="") as f:
        r = csv.reader(f)
        next(r)
        for i, row in enumerate(r):
            if len(rows) < k:
                rows.append(row)
            else:
                j = rng.randrange(i + 1)
                if j < k:
                    rows[j] = row
    return [(row[0], row[1].split(";")[0], row[2]) for row in rows]


def q(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def build_queries(starts, hubs):
    """(name, newsgraph queries, kuzu queries) triples."""
    ng, kz = [], []
    one_ng = [f"MATCH (a:{l} {{name: {q(n)}}})-->(b) RETURN count(*)" for _, l, n in starts]
    one_kz = [f"MATCH (a:{l})-->(b) WHERE a.id = {i} RETURN count(*)" for i, l, _ in starts]
    two_ng = [f"MATCH (a:{l} {{name: {q(n)}}})-->(b)-->(c) RETURN count(*)" for _, l, n in starts]
    two_kz = [f"MATCH (a:{l})-->(b)-->(c) WHERE a.id = {i} RETURN count(*)" for i, l, _ in starts]
    (vi, vl, vn), (si, sl, sn), (ti, tl, tn) = hubs
    out = [
        ("1-hop count x100", one_ng, one_kz),
        ("2-hop count x100", two_ng, two_kz),
        (
            "global 2-hop count",
            ["MATCH (a)-->(b)-->(c) RETURN count(*)"],
            ["MATCH (a)-->(b)-->(c) RETURN count(*)"],
        ),
        (
            "2-hop with filters",
            [
                "MATCH (p:Person)-[:SAID]->(c:Claim)-[:ABOUT]->(e:Event) "
                "WHERE p.year >= 1990 AND e.year = 2024 RETURN count(*)"
            ],
            [
                "MATCH (p:Person)-[:SAID]->(c:Claim)-[:ABOUT]->(e:Event) "
                "WHERE p.year >= 1990 AND e.year = 2024 RETURN count(*)"
            ],
        ),
        (
            "count by label",
            ["MATCH (n) RETURN labels(n) AS l, count(*) AS c"],
            ["MATCH (n) RETURN label(n) AS l, count(*) AS c"],
        ),
        (
            "*1..3 count",
            [f"MATCH (a:{vl} {{name: {q(vn)}}})-[*1..3]->(b) RETURN count(*)"],
            [f"MATCH (a:{vl})-[* TRAIL 1..3]->(b) WHERE a.id = {vi} RETURN count(*)"],
        ),
        (
            "shortest path",
            [
                f"MATCH p = shortestPath((a:{sl} {{name: {q(sn)}}})-[*..8]-(b:{tl} {{name: {q(tn)}}})) "
                "RETURN length(p)"
            ],
            [
                f"MATCH p = (a:{sl})-[* SHORTEST 1..8]-(b:{tl}) WHERE a.id = {si} AND b.id = {ti} "
                "RETURN length(p)"
            ],
        ),
    ]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--edges", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--load-only", action="store_true", help="stop after the loads")
    ap.add_argument("--kuzu-load", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--kuzu-queries", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.kuzu_load:
        return kuzu_load(*a.kuzu_load)
    if a.kuzu_queries:
        return kuzu_queries(a.kuzu_queries[0], a.kuzu_queries[1], a.repeat)
    ensure_venv()

    if not a.no_build:
        subprocess.check_call(["cargo", "build", "--release", "-q"], cwd=ROOT)
    ng = os.path.join(ROOT, "target", "release", "newsgraph")
    work = os.path.join(a.out, f"n{a.nodes}_e{a.edges}_s{a.seed}")
    nodes_csv, edges_csv = os.path.join(work, "nodes.csv"), os.path.join(work, "edges.csv")
    if not (os.path.exists(nodes_csv) and os.path.exists(edges_csv)):
        subprocess.check_call(
            [ng, "generate", "--nodes", str(a.nodes), "--edges", str(a.edges), "--seed", str(a.seed), "--out", work]
        )
    csv_bytes = os.path.getsize(nodes_csv) + os.path.getsize(edges_csv)

    # ----- load
    snap = os.path.join(work, "graph.ngs")
    print("newsgraph import …", file=sys.stderr)
    ng_load = run_json([ng, "import", "--nodes", nodes_csv, "--edges", edges_csv, "--out", snap])
    kdir = os.path.join(work, "kuzu_csv")
    stmts_file = os.path.join(work, "kuzu_schema.json")
    if not os.path.exists(stmts_file):
        print("splitting CSV for Kuzu (not timed) …", file=sys.stderr)
        stmts, copies = split_for_kuzu(nodes_csv, edges_csv, kdir)
        with open(stmts_file, "w") as f:
            json.dump({"schema": stmts, "copy": copies}, f, indent=1)
    db = os.path.join(work, "kuzu.db")
    print("kuzu COPY …", file=sys.stderr)
    kz_load = run_json([sys.executable, __file__, "--kuzu-load", db, stmts_file])

    # memory: a snapshot of the nodes alone, to split RSS into nodes and edges
    empty_edges = os.path.join(work, "edges-empty.csv")
    with open(edges_csv) as f, open(empty_edges, "w") as g:
        g.write(f.readline())
    nodes_snap = os.path.join(work, "nodes-only.ngs")
    run_json([ng, "import", "--nodes", nodes_csv, "--edges", empty_edges, "--out", nodes_snap])
    empty_q = os.path.join(work, "empty-queries.json")
    with open(empty_q, "w") as f:
        f.write("[]")
    ng_nodes_only = run_json([ng, "bench-queries", "--snapshot", nodes_snap, "--queries", empty_q])
    if a.load_only:
        print(json.dumps({"newsgraph": ng_load, "kuzu": kz_load}))
        return

    # ----- queries
    rng = random.Random(a.seed)
    starts = pick_starts(nodes_csv, 100, rng)
    extra = pick_starts(nodes_csv, 3, random.Random(a.seed + 1))
    items = build_queries(starts, extra)
    ng_q = os.path.join(work, "queries-newsgraph.json")
    kz_q = os.path.join(work, "queries-kuzu.json")
    with open(ng_q, "w") as f:
        json.dump([{"name": n, "queries": x} for n, x, _ in items], f)
    with open(kz_q, "w") as f:
        json.dump([{"name": n, "queries": y} for n, _, y in items], f)
    print("newsgraph queries …", file=sys.stderr)
    ng_run = run_json([ng, "bench-queries", "--snapshot", snap, "--queries", ng_q, "--repeat", str(a.repeat)])
    print("kuzu queries …", file=sys.stderr)
    kz_run = run_json([sys.executable, __file__, "--kuzu-queries", db, kz_q, "--repeat", str(a.repeat)])

    # ----- report
    def row(name, x, y, note="", timeout=False):
        ratio = x / y if y else float("inf")
        ky = f"> {y * 1000:,.0f} (timeout)" if timeout else f"{y * 1000:,.1f}"
        rs = f"< {ratio:.3f}" if timeout else f"{ratio:.2f}"
        print(f"| {name} | {x * 1000:,.1f} | {ky} | {rs} | {note} |")

    nodes, edges = ng_run["nodes"], ng_run["edges"]
    print()
    print(f"graph: {nodes:,} nodes, {edges:,} relationships, {csv_bytes / 1e6:.0f} MB of CSV; "
          f"median of {a.repeat} runs; times in ms")
    print()
    print("| step | newsgraph | Kuzu 0.11.3 | newsgraph / Kuzu | counts |")
    print("|---|---:|---:|---:|---|")
    row("CSV load", ng_load["load_s"], kz_load["load_s"], f"newsgraph also saved the snapshot in {ng_load['save_s'] * 1000:,.0f} ms")
    row("reopen (snapshot load / open db)", ng_run["load_s"], kz_run["load_s"])
    # Kuzu opens lazily and reads pages on the first query: count that query too
    first = lambda run: run["load_s"] + run["results"][0]["times"][0]
    row(f"reopen + first run of {ng_run['results'][0]['name']}", first(ng_run), first(kz_run))
    mismatches = 0
    for r1, r2 in zip(ng_run["results"], kz_run["results"]):
        note = f"{r1['count']:,}"
        if r1.get("error") or r2.get("error"):
            note = f"ERROR newsgraph: {r1.get('error')} kuzu: {r2.get('error')}"
            mismatches += 1
        elif r2.get("timeout"):
            note = f"{r1['count']:,} (Kuzu stopped after {TIMEOUT_S} s)"
        elif r1["count"] != r2["count"]:
            note = f"**MISMATCH** newsgraph {r1['count']:,} vs Kuzu {r2['count']:,}"
            mismatches += 1
        row(r1["name"], statistics.median(r1["times"]), statistics.median(r2["times"]), note, r2.get("timeout", False))
    print()
    mib = lambda k: f"{k / 1024:,.0f} MiB"
    print("| process | newsgraph peak RSS | Kuzu peak RSS |")
    print("|---|---:|---:|")
    print(f"| CSV load | {mib(ng_load['peak_rss_kib'])} | {mib(kz_load['peak_rss_kib'])} |")
    print(f"| queries | {mib(ng_run['peak_rss_kib'])} | {mib(kz_run['peak_rss_kib'])} |")
    print()
    full = ng_run["rss_after_load_kib"] - ng_run["rss_before_load_kib"]
    node_part = ng_nodes_only["rss_after_load_kib"] - ng_nodes_only["rss_before_load_kib"]
    print(f"newsgraph memory after snapshot load (RSS growth): {full / 1024:,.0f} MiB; "
          f"{node_part * 1024 / max(nodes, 1):.0f} bytes/node (nodes with id, name, year and indexes), "
          f"{(full - node_part) * 1024 / max(edges, 1):.1f} bytes/relationship")
    print(f"newsgraph CSV import: {csv_bytes / 1e6 / ng_load['load_s']:.1f} MB/s; snapshot save "
          f"{ng_load['save_s'] * 1000:,.0f} ms, load {ng_run['load_s'] * 1000:,.0f} ms "
          f"({os.path.getsize(snap) / 1e6:,.0f} MB)")
    if mismatches:
        print(f"\n!!!!!!!! {mismatches} RESULT MISMATCH(ES) between newsgraph and Kuzu !!!!!!!!")
        sys.exit(1)
    print("\nall counts agree")


if __name__ == "__main__":
    main()
