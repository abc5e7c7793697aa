"""Loads newsgraph's Parquet tables into Kuzu with COPY FROM and prints, as
one JSON document, the node count per table, the relationship count per
type and the who-denied-what rows.

    python scale/kuzu_check.py TABLES_DIR [--db PATH]

TABLES_DIR is what `newsgraph export --format parquet` writes (one file per
table). A relationship type joins several pairs of node tables in Kuzu, so
each pair is copied from the type's file filtered by `src_label` and
`dst_label`.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

import kuzu

KUZU_TYPE = {"int64": "INT64", "string": "STRING", "double": "DOUBLE", "bool": "BOOLEAN",
             "date": "DATE", "string[]": "STRING[]", "temporal": "STRING", "json": "STRING"}
LAYOUT = {"src", "dst", "src_label", "dst_label"}


def rows(conn, q, params=None):
    r = conn.execute(q, params or {})
    out = []
    while r.has_next():
        out.append(r.get_next())
    return out


def q(name):
    return "`" + name.replace("`", "``") + "`"


def load(conn, d):
    schema = json.load(open(os.path.join(d, "schema.json")))
    for t in schema["nodes"]:
        cols = ", ".join(f"{q(c['name'])} {KUZU_TYPE[c['type']]}" for c in t["columns"])
        conn.execute(f"CREATE NODE TABLE {q(t['label'])}({cols}, PRIMARY KEY(node_id))")
        conn.execute(f"COPY {q(t['label'])} FROM '{os.path.join(d, t['file'])}'")
    for t in schema["relationships"]:
        f = os.path.join(d, t["file"])
        pairs = rows(conn, f"LOAD FROM '{f}' RETURN DISTINCT src_label, dst_label")
        if not pairs:
            continue
        props = [c for c in t["columns"] if c["name"] not in LAYOUT]
        cols = "".join(f", {q(c['name'])} {KUZU_TYPE[c['type']]}" for c in props)
        ends = ", ".join(f"FROM {q(a)} TO {q(b)}" for a, b in pairs)
        conn.execute(f"CREATE REL TABLE {q(t['type'])}({ends}{cols})")
        keep = ", ".join(["src", "dst"] + [q(c["name"]) for c in props])
        for a, b in pairs:
            conn.execute(
                f"COPY {q(t['type'])} FROM (LOAD FROM '{f}' "
                f"WHERE src_label = '{a}' AND dst_label = '{b}' RETURN {keep}) "
                f"(from='{a}', to='{b}')")
    return schema


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tables")
    ap.add_argument("--db")
    a = ap.parse_args()
    tmp = None
    if a.db is None:
        tmp = tempfile.mkdtemp(prefix="newsgraph-kuzu-")
        a.db = os.path.join(tmp, "db")
    conn = kuzu.Connection(kuzu.Database(a.db))
    schema = load(conn, a.tables)
    out = {"nodes": {}, "relationships": {}}
    for t in schema["nodes"]:
        out["nodes"][t["label"]] = rows(conn, f"MATCH (n:{q(t['label'])}) RETURN count(*)")[0][0]
    for t in schema["relationships"]:
        try:
            n = rows(conn, f"MATCH ()-[r:{q(t['type'])}]->() RETURN count(*)")[0][0]
        except RuntimeError:
            n = 0  # a type with no rows has no table
        out["relationships"][t["type"]] = n
    # who denied what: every DENIED relationship, whatever table its speaker is in
    out["denied"] = sorted(
        [who, what] for who, what in
        rows(conn, "MATCH (a)-[:DENIED]->(c:Claim) RETURN a.name, c.text"))
    json.dump(out, sys.stdout, indent=1)
    print()
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
