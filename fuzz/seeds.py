#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/TARGET/.

    python3 fuzz/seeds.py            # from the repository root or fuzz/

Sources (issue 14): the TCK's queries (`When executing query:` and setup
blocks of every .feature file under ../shared/cypher-tck, or
$NEWSGRAPH_TCK_DIR), the ```cypher blocks and `MATCH …` lines of docs/ and
the README, the bundled articles in data/articles, the question forms of
src/question.rs, snapshots written by the release binary (when it is built)
and the heads of the shipped models. Small hand-written seeds committed in
fuzz/seeds/ are copied too. Seed files are named by their content hash, so
running the script twice adds nothing.
"""

import glob
import hashlib
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
CORPUS = os.path.join(FUZZ, "corpus")
TCK = os.environ.get(
    "NEWSGRAPH_TCK_DIR", os.path.join(ROOT, "..", "..", "shared", "cypher-tck", "tck", "features")
)
if not os.path.isdir(TCK):
    TCK = "/work/shared/cypher-tck/tck/features"


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def tck_queries():
    out = []
    for path in glob.glob(os.path.join(TCK, "**", "*.feature"), recursive=True):
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r'"""\n(.*?)\n\s*"""', text, re.S):
            lines = m.group(1).splitlines()
            indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
            out.append("\n".join(l[indent:] for l in lines).strip())
    return out


def doc_queries():
    out = []
    files = glob.glob(os.path.join(ROOT, "docs", "*.md")) + [os.path.join(ROOT, "README.md")]
    for path in files:
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r"```(?:cypher|sql|\$[^\n]*)?\n(.*?)```", text, re.S):
            block = m.group(1).strip()
            if re.search(r"\b(MATCH|RETURN|UNWIND|CREATE|WITH)\b", block):
                out.append(block)
        for m in re.finditer(r"`((?:MATCH|RETURN|UNWIND|OPTIONAL MATCH|WITH|CREATE)\b[^`]+)`", text):
            out.append(m.group(1))
    return out


def questions():
    src = open(os.path.join(ROOT, "src", "question.rs"), encoding="utf-8").read()
    qs = set(re.findall(r'"((?:who|what|how|timeline|contradictions)[^"\\]*)"', src, re.I))
    qs.update(
        [
            "who denied what",
            "who said what about Kursk",
            "what did Putin say",
            "what did Vladimir Putin deny about Kursk?",
            "what happened in Kursk since 2024-08",
            "who met Zelenskiy",
            "contradictions about Kursk",
            "timeline of Putin",
            "how is Gerasimov connected to Zelenskiy",
            "what did O'Brien say",
            "who praised what",
        ]
    )
    return sorted(qs)


def snapshots():
    binary = os.path.join(ROOT, "target", "release", "newsgraph")
    if not os.path.exists(binary):
        print("no target/release/newsgraph: snapshot seeds skipped", file=sys.stderr)
        return []
    out = []
    arts = sorted(glob.glob(os.path.join(ROOT, "data", "articles", "*.txt")))[:2]
    with tempfile.TemporaryDirectory() as d:
        for i, a in enumerate(arts):
            snap = os.path.join(d, f"s{i}.ngs")
            r = subprocess.run(
                [binary, "ingest", a, "--out", snap], capture_output=True, env=dict(os.environ)
            )
            if r.returncode == 0:
                out.append(open(snap, "rb").read())
    return out


def model_heads(n=4096):
    """The first n bytes of each model's payload, after the pick byte the
    model_load target reads (0 tagger, 1 parser, 2 entities)."""
    out = []
    for pick, name in enumerate(["tagger", "parser", "entities"]):
        path = os.path.join(ROOT, "data", "models", f"{name}.bin")
        if not os.path.exists(path):
            continue
        data = open(path, "rb").read()
        header = 8 + 4 + 4 + 8 + 4
        payload = data[header:]
        out.append(bytes([pick]) + payload[:n])
        # the envelope itself: a small valid model file with that payload head
        head = payload[:n]
        env = data[:8] + data[8:12] + data[12:16] + struct.pack("<Q", len(head))
        env += struct.pack("<I", zlib.crc32(head)) + head
        out.append(bytes([3]) + env)
    return out


def main():
    counts = {}

    def add(target, items):
        for x in items:
            put(target, x)
        counts[target] = counts.get(target, 0) + len(items)

    queries = sorted(set(tck_queries() + doc_queries()))
    add("query_parser", queries)
    add("query_exec", queries)
    arts = sorted(glob.glob(os.path.join(ROOT, "data", "articles", "*.txt")))
    add("extract_article", [open(a, "rb").read() for a in arts])
    add("question", questions())
    add("snapshot_load", snapshots())
    add("model_load", model_heads())
    for target_dir in glob.glob(os.path.join(FUZZ, "seeds", "*")):
        target = os.path.basename(target_dir)
        if target == "generated":
            continue
        add(target, [open(p, "rb").read() for p in glob.glob(os.path.join(target_dir, "*"))])
    for t, n in sorted(counts.items()):
        print(f"{t}: {n} seeds")


if __name__ == "__main__":
    main()
