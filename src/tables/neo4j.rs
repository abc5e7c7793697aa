//! Tables as the CSV files `neo4j-admin database import` reads.
//!
//! Node files: `node_id:ID`, `:LABEL` (all labels, `;`-separated), then the
//! properties with typed headers (`name:string`, `aliases:string[]`,
//! `date:date`, `count:long`, `score:double`, `quote:boolean`; `temporal`
//! and `json` columns as `string`) and the provenance as `long`s.
//! Relationship files: `:START_ID`, `:END_ID`, `:TYPE`, properties,
//! provenance. Every string is quoted (`"` doubled); an empty field is no
//! property. Texts span lines, so the import needs `--multiline-fields=true`;
//! `import.sh` beside the files holds the whole command. Array elements are
//! joined by `;`, neo4j-admin's default array delimiter (an element that
//! holds a `;` is split by the import).
//! May not touch: the graph (it sees rows of [`Cell`]s only).

use std::io::Write;
use std::path::Path;

use super::{Cell, ColType, Kind, Row, Table, TableError, err};
use crate::store::Date;

fn header_type(t: ColType) -> &'static str {
    match t {
        ColType::Int64 => "long",
        ColType::Double => "double",
        ColType::Bool => "boolean",
        ColType::Date => "date",
        ColType::StringList => "string[]",
        ColType::String | ColType::Temporal | ColType::Json => "string",
    }
}

fn quote(s: &str, out: &mut String) {
    out.push('"');
    out.push_str(&s.replace('"', "\"\""));
    out.push('"');
}

fn field(c: &Cell, out: &mut String) {
    match c {
        Cell::Null => {}
        Cell::Int(i) => out.push_str(&i.to_string()),
        Cell::Float(x) => out.push_str(&format!("{x:?}")),
        Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Cell::Str(s) => quote(s, out),
        Cell::Date(d) => out.push_str(&Date(*d).to_string()),
        Cell::StrList(l) => quote(&l.join(";"), out),
    }
}

/// Which of a table's columns go to the CSV file, with their headers.
fn headers(t: &Table) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, c) in t.columns.iter().enumerate() {
        let h = match (t.kind, c.property.is_some(), c.name.as_str()) {
            (Kind::Nodes, false, "node_id") => "node_id:ID".to_string(),
            (Kind::Nodes, false, "labels") => ":LABEL".to_string(),
            (Kind::Relationships, false, "src") => ":START_ID".to_string(),
            (Kind::Relationships, false, "dst") => ":END_ID".to_string(),
            (Kind::Relationships, false, "src_label" | "dst_label" | "rel_id") => continue,
            (_, _, name) => format!("{name}:{}", header_type(c.ctype)),
        };
        out.push((i, h));
    }
    if t.kind == Kind::Relationships {
        // `:TYPE` right after the ends
        out.insert(2, (usize::MAX, ":TYPE".to_string()));
    }
    out
}

/// Writes one table as a CSV file with a neo4j-admin header.
pub fn write_table(path: &Path, t: &Table, rows: &[Row]) -> Result<(), TableError> {
    let file = std::fs::File::create(path).map_err(|e| err(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    let cols = headers(t);
    let mut line = cols
        .iter()
        .map(|(_, h)| h.as_str())
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    w.write_all(line.as_bytes()).map_err(|e| err(path, e))?;
    let type_cell = Cell::Str(t.name.clone());
    for r in rows {
        line.clear();
        for (k, (i, _)) in cols.iter().enumerate() {
            if k > 0 {
                line.push(',');
            }
            let c = if *i == usize::MAX {
                &type_cell
            } else {
                r.get(*i).unwrap_or(&Cell::Null)
            };
            field(c, &mut line);
        }
        line.push('\n');
        w.write_all(line.as_bytes()).map_err(|e| err(path, e))?;
    }
    w.flush().map_err(|e| err(path, e))
}

/// Writes `import.sh`: the neo4j-admin command that loads the files.
pub fn write_script(dir: &Path, tables: &[Table]) -> Result<(), TableError> {
    let mut s = String::from(
        "#!/bin/sh\n# Loads these tables into a new Neo4j database (stop the database first).\n\
         # Usage: sh import.sh [DATABASE]   (default: neo4j)\n\
         cd \"$(dirname \"$0\")\" || exit 1\n\
         exec neo4j-admin database import full \"${1:-neo4j}\" --overwrite-destination=true \\\n  \
         --multiline-fields=true --array-delimiter=';' --id-type=INTEGER",
    );
    for t in tables {
        let flag = match t.kind {
            Kind::Nodes => "--nodes",
            Kind::Relationships => "--relationships",
        };
        s.push_str(&format!(" \\\n  {flag}='{}'", t.file));
    }
    s.push('\n');
    let path = dir.join("import.sh");
    std::fs::write(&path, s).map_err(|e| err(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::Column;

    #[test]
    fn headers_follow_neo4j_admin() {
        let col = |n: &str, p: bool, t| Column {
            name: n.into(),
            property: p.then(|| n.into()),
            ctype: t,
        };
        let nodes = Table {
            kind: Kind::Nodes,
            name: "Person".into(),
            file: "nodes/Person.csv".into(),
            rows: None,
            columns: vec![
                col("node_id", false, ColType::Int64),
                col("labels", false, ColType::StringList),
                col("name", true, ColType::String),
                col("aliases", true, ColType::StringList),
                col("date", true, ColType::Date),
            ],
        };
        let h: Vec<String> = headers(&nodes).into_iter().map(|(_, h)| h).collect();
        assert_eq!(
            h,
            [
                "node_id:ID",
                ":LABEL",
                "name:string",
                "aliases:string[]",
                "date:date"
            ]
        );
        let rels = Table {
            kind: Kind::Relationships,
            name: "SAID".into(),
            file: "relationships/SAID.csv".into(),
            rows: None,
            columns: vec![
                col("src", false, ColType::Int64),
                col("dst", false, ColType::Int64),
                col("src_label", false, ColType::String),
                col("dst_label", false, ColType::String),
                col("rel_id", false, ColType::Int64),
                col("prov_article", false, ColType::Int64),
            ],
        };
        let h: Vec<String> = headers(&rels).into_iter().map(|(_, h)| h).collect();
        assert_eq!(h, [":START_ID", ":END_ID", ":TYPE", "prov_article:long"]);
        let mut s = String::new();
        field(&Cell::Str("say \"no\"".into()), &mut s);
        field(&Cell::StrList(vec!["a".into(), "b".into()]), &mut s);
        assert_eq!(s, "\"say \"\"no\"\"\"\"a;b\"");
    }
}
