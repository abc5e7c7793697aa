"""newsgraph on Spark: extraction as a map step, graph building in Spark SQL,
the graph written as the Parquet tables `newsgraph import --parquet` reads.

    spark-submit scale/job.py --articles DIR_OR_LIST --out TABLES [--binary PATH]

Steps (see scale/README.md for which merge rule lives where):
1. Article paths (files under a folder, or a text file listing them) are
   spread over partitions; each partition pipes its paths through one
   `newsgraph extract --format jsonl -` process. A bad article is an error
   line (path, reason); if the process dies, the paths it did not answer
   become error rows too: no article kills a task.
2. Lines become a DataFrame; errors go to the `errors` table.
3. Articles are deduplicated (file name, then title and text), ranked by
   path (ingest's file order), and each article's graph fragment (computed
   by the binary with ingest's own code) is exploded into nodes and
   relationships with global ids (rank << 24 | local id).
4. Cross-article merge in Spark SQL: entities by the keys the binary wrote
   (lookup name, transliteration spelling, names), claims and events by
   the `same` rule (kind, merged arguments, days within 3, content words
   Jaccard >= 0.8), each resolved to the earliest matching node by
   iterating to a fixpoint; relationships remapped and deduplicated where
   ingest adds them once.
5. Tables written to a temporary folder, then renamed over --out, with
   schema.json; Article and Claim tables partitioned by date. Nothing is
   collected on the driver but the schema and loop counts.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

SHIFT = 1 << 24  # local ids per article
WINDOW_DAYS = 3  # src/ingest/same.rs WINDOW_DAYS
PRIMARY = ["Article", "Claim", "Event", "Person", "Organization", "Place", "Actor", "Country"]
ENTITY_LABELS = ["Person", "Organization", "Place"]

# The property columns of each node table and relationship table (the news
# schema of src/store/schema.rs and what src/ingest writes).
NODE_PROPS = {
    "Article": [("file", "string"), ("title", "string"), ("date", "date"),
                ("text", "string"), ("source", "string")],
    "Claim": [("text", "string"), ("stance", "string"), ("verb", "string"),
              ("quote", "bool"), ("date", "date")],
    "Event": [("type", "string"), ("trigger", "string"), ("status", "string"),
              ("text", "string"), ("time", "temporal"), ("date", "date")],
    "Person": [("name", "string"), ("aliases", "string[]"), ("type", "string")],
    "Organization": [("name", "string"), ("aliases", "string[]"), ("type", "string")],
    "Place": [("name", "string"), ("aliases", "string[]"), ("type", "string")],
    "Actor": [("name", "string"), ("type", "string")],
}
REL_PROPS = {"HOLDS_ROLE": [("title", "string")]}
# relationships ingest adds only once per pair (the Merger's `links`)
ONCE = ["PART_OF", "HOLDS_ROLE", "CONTRADICTS"]
# relationships written only when their claim or event node is created
WITH_NEW_NODE = {"ABOUT": "src", "PERFORMED": "dst", "AFFECTED": "src", "OCCURRED_IN": "src"}
PARTITIONED = {"Article": "date", "Claim": "date"}
SPARK_TYPE = {"string": "string", "date": "date", "bool": "boolean", "temporal": "string",
              "string[]": "array<string>", "int64": "bigint"}

PROPS_SCHEMA = T.StructType([T.StructField(n, T.BooleanType() if n == "quote" else
                                           T.ArrayType(T.StringType()) if n == "aliases" else
                                           T.StringType())
                             for n in sorted({p for cols in NODE_PROPS.values() for p, _ in cols})])
REPORT = T.StructType([
    T.StructField("kind", T.StringType()),
    T.StructField("args", T.ArrayType(T.LongType())),
    T.StructField("day", T.LongType()),
    T.StructField("words", T.ArrayType(T.StringType())),
])
NODE = T.StructType([
    T.StructField("id", T.LongType()),
    T.StructField("labels", T.ArrayType(T.StringType())),
    T.StructField("props", PROPS_SCHEMA),
    T.StructField("prov", T.ArrayType(T.LongType())),
    T.StructField("lookup", T.StringType()),
    T.StructField("spelling", T.StringType()),
    T.StructField("names", T.ArrayType(T.StringType())),
    T.StructField("alias_order", T.ArrayType(T.StringType())),
    T.StructField("report", REPORT),
])
REL = T.StructType([
    T.StructField("type", T.StringType()),
    T.StructField("src", T.LongType()),
    T.StructField("dst", T.LongType()),
    T.StructField("props", T.StructType([T.StructField("title", T.StringType())])),
    T.StructField("prov", T.ArrayType(T.LongType())),
])
LINE = T.StructType([
    T.StructField("path", T.StringType()),
    T.StructField("error", T.StringType()),
    T.StructField("article", T.StringType()),
    T.StructField("date", T.StringType()),
    T.StructField("title", T.StringType()),
    T.StructField("text", T.StringType()),
    T.StructField("bytes", T.LongType()),
    T.StructField("graph", T.StructType([
        T.StructField("nodes", T.ArrayType(NODE)),
        T.StructField("rels", T.ArrayType(REL)),
    ])),
])


def find_binary(binary):
    """The binary: a path, a file shipped with --files, or a name on PATH."""
    if os.path.sep in binary:
        return binary
    from pyspark import SparkFiles
    try:
        shipped = SparkFiles.get(binary)
    except Exception:  # no SparkFiles root outside a Spark worker
        shipped = None
    if shipped and os.path.isfile(shipped):
        if not os.access(shipped, os.X_OK):
            os.chmod(shipped, 0o755)
        return shipped
    return binary


def extract_partition(binary):
    """mapPartitions body: the partition's paths through one extractor."""

    def run(paths):
        paths = list(paths)  # one partition's paths: file names, not texts
        if not paths:
            return
        proc = subprocess.Popen([find_binary(binary), "extract", "--format", "jsonl", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)

        def feed():
            try:
                for p in paths:
                    proc.stdin.write(p.encode() + b"\n")
                proc.stdin.close()
            except BrokenPipeError:
                pass

        threading.Thread(target=feed, daemon=True).start()
        seen = set()
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace")
            try:
                seen.add(json.loads(line)["path"])
            except (ValueError, KeyError):
                continue
            yield line
        rc = proc.wait()
        for p in paths:
            if p not in seen:
                reason = f"the extractor stopped (exit status {rc}) before this article"
                yield json.dumps({"path": p, "error": reason})

    return run


def list_articles(spark, articles, partitions):
    """The article paths as an RDD: the *.txt files under a folder, or the
    lines of a list file (which may name files anywhere)."""
    if os.path.isdir(articles):
        paths = []
        for d, _, files in os.walk(articles):
            paths += [os.path.join(d, f) for f in files if f.endswith(".txt")]
        paths.sort()
        return spark.sparkContext.parallelize(paths, partitions)
    return spark.sparkContext.textFile(articles, partitions).filter(lambda s: s.strip())


def resolve(cand, ids, max_rounds=30):
    """Each id's root: the least root among its candidates (ids it may join,
    all earlier), itself when it has none. Iterates to the fixpoint;
    candidates point only backwards, so this is ingest's sequential rule."""
    roots = ids.select("gid", F.col("gid").alias("root"))
    for _ in range(max_rounds):
        new = (cand.join(roots.withColumnRenamed("gid", "cand").withColumnRenamed("root", "r"),
                         "cand")
               .groupBy("gid").agg(F.min("r").alias("r")))
        nxt = (ids.join(new, "gid", "left")
               .select("gid", F.coalesce("r", "gid").alias("root"))).localCheckpoint()
        changed = nxt.join(roots.withColumnRenamed("root", "old"), "gid") \
            .where(F.col("root") != F.col("old")).count()
        roots = nxt
        if changed == 0:
            break
    return roots


def resolve_reports(reports, max_rounds=30):
    """Claims or events: x joins the earliest earlier report y that is a
    root (created a node) and is the same by the `same` rule. Whether y is
    a root depends on earlier reports only; iterate to the fixpoint."""
    r = reports
    dseq = F.when(F.col("day").isNull(), F.array(F.lit(None).cast("long"))).otherwise(
        F.sequence(F.col("day") - WINDOW_DAYS, F.col("day") + WINDOW_DAYS))
    # candidate pairs once: same kind and arguments, days within the window
    # (an undated report meets undated ones only); equality joins only
    left = r.select("gid", "kind", "a0", "a1", "a2", "words", F.explode(dseq).alias("d"))
    right = r.select(F.col("gid").alias("y"), F.col("kind").alias("k"),
                     F.col("a0").alias("b0"), F.col("a1").alias("b1"), F.col("a2").alias("b2"),
                     F.col("words").alias("w"), F.col("day").alias("yd"))
    c = F.col
    cond = ((c("kind") == c("k")) & c("a0").eqNullSafe(c("b0")) & c("a1").eqNullSafe(c("b1"))
            & c("a2").eqNullSafe(c("b2")) & c("d").eqNullSafe(c("yd")) & (c("y") < c("gid")))
    inter = F.size(F.array_intersect("words", "w"))
    union = F.size(F.array_union("words", "w"))
    pairs = (left.join(right, cond)
             .where(inter * 10 >= union * 8)
             .select("gid", "y").distinct().localCheckpoint())
    ids = r.select("gid")
    roots = ids.select("gid", F.col("gid").alias("root"))
    for _ in range(max_rounds):
        live = roots.where(F.col("gid") == F.col("root")).select(F.col("gid").alias("y"))
        new = pairs.join(live, "y").groupBy("gid").agg(F.min("y").alias("r"))
        nxt = (ids.join(new, "gid", "left")
               .select("gid", F.coalesce("r", "gid").alias("root"))).localCheckpoint()
        changed = nxt.join(roots.withColumnRenamed("root", "old"), "gid") \
            .where(F.col("root") != F.col("old")).count()
        roots = nxt
        if changed == 0:
            break
    return roots


def primary_label(col):
    expr = None
    for lab in reversed(PRIMARY):
        c = F.array_contains(col, lab)
        expr = F.when(c, F.lit(lab)) if expr is None else F.when(c, F.lit(lab)).otherwise(expr)
    return F.coalesce(expr, F.element_at(col, 1), F.lit(""))


def build(spark, articles, out, binary, partitions):
    sc = spark.sparkContext
    t0 = time.time()
    paths = list_articles(spark, articles, partitions)
    lines = paths.mapPartitions(extract_partition(binary))
    df = spark.read.schema(LINE).json(lines).localCheckpoint()
    t_extract = time.time() - t0

    errors = df.where(F.col("error").isNotNull()).select("path", "error")
    ok = df.where(F.col("error").isNull())
    # ingest skips a second file of the same name, and the same title and
    # text under another name; the first in path order stays
    w_name = Window.partitionBy("article").orderBy("path")
    ok = ok.withColumn("_n", F.row_number().over(w_name)).where("_n = 1").drop("_n")
    w_text = Window.partitionBy("title", "text").orderBy("path")
    ok = (ok.withColumn("_n", F.when(F.trim("text") == "", 1)
                        .otherwise(F.row_number().over(w_text)))
          .where("_n = 1").drop("_n"))
    ranks = (ok.select("path").rdd.map(lambda r: r[0]).sortBy(lambda p: p)
             .zipWithIndex().toDF(["path", "rank"]))
    ok = ok.join(ranks, "path")

    nodes = (ok.select("rank", "text", F.explode("graph.nodes").alias("n"))
             .select("rank", F.when(F.col("n.id") == 0, F.col("text")).alias("text"), "n.*")
             .withColumn("gid", F.col("rank") * SHIFT + F.col("id"))
             .withColumn("art", F.col("rank") * SHIFT)).localCheckpoint()
    rels = (ok.select("rank", F.posexplode("graph.rels").alias("i", "r"))
            .select("rank", "i", "r.*")
            .withColumn("src", F.col("rank") * SHIFT + F.col("src"))
            .withColumn("dst", F.col("rank") * SHIFT + F.col("dst"))
            .withColumn("rel_id", F.col("rank") * SHIFT + F.col("i")))

    t1 = time.time()
    # entities (by type label) and anonymous actors (by Actor)
    ent = (nodes.where(F.col("lookup").isNotNull())
           .withColumn("mlabel", F.coalesce(*[F.when(F.array_contains("labels", l), F.lit(l))
                                              for l in ENTITY_LABELS], F.lit("Actor"))))
    names = ent.select(F.col("gid").alias("cand"), "mlabel",
                       F.array_contains("labels", "Actor").alias("actor"),
                       F.explode("names").alias("nm"))
    # an entity looks among nodes of its type label; an anonymous speaker
    # (`officials`) among every node labelled Actor, entities included
    by_type = (ent.where(F.col("mlabel") != "Actor")
               .select("gid", "mlabel", F.col("lookup").alias("nm"))
               .join(names, ["mlabel", "nm"]))
    by_actor = (ent.where(F.col("mlabel") == "Actor")
                .select("gid", F.col("lookup").alias("nm"))
                .join(names.where("actor"), "nm"))
    by_name = (by_type.select("gid", "cand").union(by_actor.select("gid", "cand"))
               .where(F.col("cand") < F.col("gid")))
    by_spelling = (ent.where(F.col("spelling").isNotNull())
                   .select("gid", "mlabel", F.col("spelling").alias("nm"))
                   .join(names, ["mlabel", "nm"]).where(F.col("cand") < F.col("gid"))
                   .join(by_name.select("gid").distinct(), "gid", "left_anti")
                   .select("gid", "cand"))
    ent_roots = resolve(by_name.union(by_spelling).distinct(), ent.select("gid"))

    # claims and events, their arguments through the entity roots
    arg_root = ent_roots.select(F.col("gid").alias("a"), F.col("root").alias("ar"))

    def arg(i):
        a = F.col("rank") * SHIFT + F.element_at("report.args", i + 1)
        return a

    rep = nodes.where(F.col("report").isNotNull()).select(
        "gid", F.col("report.kind").alias("kind"), F.col("report.day").alias("day"),
        F.array_sort(F.coalesce("report.words", F.array())).alias("words"),
        *[arg(i).alias(f"x{i}") for i in range(3)])
    for i in range(3):
        rep = (rep.join(arg_root.withColumnRenamed("a", f"x{i}"), f"x{i}", "left")
               .withColumn(f"a{i}", F.coalesce("ar", f"x{i}")).drop("ar", f"x{i}"))
    rep_roots = resolve_reports(rep)
    roots = ent_roots.union(rep_roots).localCheckpoint()
    t_merge = time.time() - t1

    # nodes: the roots, with what their members add
    all_roots = nodes.select("gid").join(roots, "gid", "left") \
        .select("gid", F.coalesce("root", "gid").alias("root"))
    members = nodes.join(all_roots, "gid")
    label_union = (members.select("root", "gid", F.posexplode("labels").alias("p", "l"))
                   .groupBy("root", "l").agg(F.min(F.struct("gid", "p")).alias("o"))
                   .groupBy("root").agg(F.array_sort(F.collect_list(F.struct("o", "l"))).alias("ls"))
                   .select("root", F.col("ls.l").alias("all_labels")))
    root_names = nodes.select(F.col("gid").alias("root"), F.lower("props.name").alias("rname"))
    alias_rows = (members.where(F.exists("labels", lambda x: x.isin(ENTITY_LABELS)))
                  .select("root", "gid", F.posexplode(
                      F.concat(F.coalesce("alias_order", F.array()),
                               F.coalesce("props.aliases", F.array()))).alias("p", "a"))
                  .join(root_names, "root")
                  .where(F.lower("a") != F.col("rname"))
                  .groupBy("root", F.lower("a").alias("la"))
                  .agg(F.min(F.struct("gid", "p", "a")).alias("o"))
                  .groupBy("root").agg(F.array_sort(F.collect_list("o")).alias("os"))
                  .select("root", F.col("os.a").alias("merged_aliases")))
    kept = (nodes.join(all_roots.where(F.col("gid") == F.col("root")).select("gid"), "gid")
            .join(label_union.withColumnRenamed("root", "gid"), "gid")
            .join(alias_rows.withColumnRenamed("root", "gid"), "gid", "left")
            .withColumn("labels", F.col("all_labels"))
            .withColumn("table", primary_label(F.col("labels"))))
    is_entity = F.exists("labels", lambda x: x.isin(ENTITY_LABELS))
    kept = kept.withColumn(
        "aliases", F.when(is_entity, F.coalesce("merged_aliases", F.array().cast("array<string>"))))
    kept = kept.localCheckpoint()

    # relationships: ends through the roots; once-only and new-node-only rules
    r = rels.join(all_roots.select(F.col("gid").alias("src"), F.col("root").alias("s")), "src") \
            .join(all_roots.select(F.col("gid").alias("dst"), F.col("root").alias("d")), "dst")
    merged_away = F.lit(False)
    for t, end in WITH_NEW_NODE.items():
        merged_away = merged_away | ((F.col("type") == t) & (F.col(end) != F.col(end[0])))
    r = r.where(~merged_away).withColumn("src", F.col("s")).withColumn("dst", F.col("d"))
    r = r.where(~((F.col("type") == "CONTRADICTS") & (F.col("src") == F.col("dst"))))
    w_once = Window.partitionBy("type", "src", "dst", "props.title").orderBy("rel_id")
    once = F.col("type").isin(ONCE + ["REPORTED_IN"])
    r = (r.withColumn("_n", F.when(once, F.row_number().over(w_once)).otherwise(1))
         .where("_n = 1").drop("_n"))
    ends = kept.select(F.col("gid").alias("e"), F.col("table").alias("t"))
    r = (r.join(ends.withColumnRenamed("e", "src").withColumnRenamed("t", "src_label"), "src")
         .join(ends.withColumnRenamed("e", "dst").withColumnRenamed("t", "dst_label"), "dst"))

    r = r.localCheckpoint()
    write_tables(spark, kept, r, errors, out)
    return {"extract_s": t_extract, "merge_s": t_merge, "total_s": time.time() - t0}


def prov_cols(prov_article):
    return [prov_article.alias("prov_article"),
            F.element_at("prov", 1).alias("prov_sentence"),
            F.element_at("prov", 2).alias("prov_start"),
            F.element_at("prov", 3).alias("prov_end")]


def hadoop_fs(spark, path):
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    return p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), p, jvm


def write_tables(spark, kept, rels, errors, out):
    fs, out_p, jvm = hadoop_fs(spark, out)
    tmp = out.rstrip("/") + f".tmp-{os.getpid()}"
    tmp_p = jvm.org.apache.hadoop.fs.Path(tmp)
    fs.delete(tmp_p, True)
    schema = {"format": "newsgraph-tables", "version": 1, "files": "parquet",
              "nodes": [], "relationships": [], "errors": "errors"}
    for label, props in NODE_PROPS.items():
        cols = [F.col("gid").alias("node_id"), F.col("labels")]
        for name, t in props:
            src = F.col("text") if (label, name) == ("Article", "text") else (
                F.col("aliases") if name == "aliases" else F.col(f"props.{name}"))
            cols.append(src.cast(SPARK_TYPE[t]).alias(name))
        art = F.when(F.col("prov").isNotNull(), F.col("art"))
        cols += prov_cols(art)
        table = kept.where(F.col("table") == label).select(*cols)
        file = f"nodes/{label}.parquet"
        w = table.write.mode("overwrite")
        if label in PARTITIONED:
            w = w.partitionBy(PARTITIONED[label])
        w.parquet(f"{tmp}/{file}")
        columns = ([{"name": "node_id", "type": "int64"}, {"name": "labels", "type": "string[]"}]
                   + [{"name": n, "type": t, "property": n} for n, t in props]
                   + [{"name": c, "type": "int64"} for c in
                      ["prov_article", "prov_sentence", "prov_start", "prov_end"]])
        schema["nodes"].append({"label": label, "file": file, "rows": None, "columns": columns})
    types = ["SAID", "DENIED", "CONFIRMED", "ACCUSED", "PRAISED", "CRITICIZED", "WARNED",
             "PROMISED", "QUESTIONED", "ABOUT", "PERFORMED", "AFFECTED", "OCCURRED_IN",
             "PART_OF", "HOLDS_ROLE", "MENTIONED_IN", "REPORTED_IN", "CONTRADICTS"]
    for t in types:
        props = REL_PROPS.get(t, [])
        cols = [F.col("src"), F.col("dst"), F.col("src_label"), F.col("dst_label"),
                F.col("rel_id")]
        cols += [F.col(f"props.{n}").alias(n) for n, _ in props]
        cols += prov_cols(F.when(F.col("prov").isNotNull(), F.col("rank") * SHIFT))
        file = f"relationships/{t}.parquet"
        rels.where(F.col("type") == t).select(*cols).write.mode("overwrite").parquet(f"{tmp}/{file}")
        columns = ([{"name": "src", "type": "int64"}, {"name": "dst", "type": "int64"},
                    {"name": "src_label", "type": "string"}, {"name": "dst_label", "type": "string"},
                    {"name": "rel_id", "type": "int64"}]
                   + [{"name": n, "type": ty, "property": n} for n, ty in props]
                   + [{"name": c, "type": "int64"} for c in
                      ["prov_article", "prov_sentence", "prov_start", "prov_end"]])
        schema["relationships"].append({"type": t, "file": file, "rows": None,
                                        "columns": columns})
    errors.write.mode("overwrite").parquet(f"{tmp}/errors")
    stream = fs.create(jvm.org.apache.hadoop.fs.Path(f"{tmp}/schema.json"), True)
    stream.write(bytearray(json.dumps(schema, indent=2).encode() + b"\n"))
    stream.close()
    # the old output leaves only once the new one is complete
    old_p = jvm.org.apache.hadoop.fs.Path(out.rstrip("/") + f".old-{os.getpid()}")
    if fs.exists(out_p):
        if not fs.exists(jvm.org.apache.hadoop.fs.Path(f"{out}/schema.json")):
            fs.delete(tmp_p, True)
            raise SystemExit(f"{out} exists and holds no schema.json: not replaced")
        fs.rename(out_p, old_p)
    fs.rename(tmp_p, out_p)
    fs.delete(old_p, True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", required=True,
                    help="a folder of *.txt articles, or a text file listing article paths")
    ap.add_argument("--out", required=True, help="the table folder to write (replaced whole)")
    ap.add_argument("--binary", default="newsgraph",
                    help="the newsgraph binary: a path, or a name shipped with --files / on PATH")
    ap.add_argument("--partitions", type=int, default=None)
    ap.add_argument("--master", default=None, help="e.g. local[2] (default: spark-submit's)")
    ap.add_argument("--stats", help="write timings as JSON here")
    a = ap.parse_args(argv)
    b = SparkSession.builder.appName("newsgraph-scale")
    if a.master:
        b = b.master(a.master)
    spark = (b.config("spark.sql.shuffle.partitions", "8")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("WARN")
    binary = os.path.abspath(a.binary) if os.path.sep in a.binary else a.binary
    parts = a.partitions or spark.sparkContext.defaultParallelism * 2
    stats = build(spark, a.articles, a.out, binary, parts)
    print(json.dumps(stats), file=sys.stderr)
    if a.stats:
        with open(a.stats, "w") as f:
            json.dump(stats, f)
    spark.stop()


if __name__ == "__main__":
    main()
