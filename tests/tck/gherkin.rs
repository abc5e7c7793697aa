//! A Gherkin reader for the subset the openCypher TCK uses: `Feature`,
//! `Background`, `Scenario`, `Scenario Outline` + `Examples`, tags, steps
//! with doc strings (`"""`) and data tables (`| a | b |`).
//!
//! Outlines are expanded here: one [`Scenario`] per Examples row, with
//! `<name>` placeholders replaced in the scenario name, step texts, doc
//! strings and table cells. Background steps are prepended to every scenario.

/// One step: `Given an empty graph`, `When executing query:` + doc string, …
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// `Given`, `When`, `Then`, `And` or `But`.
    pub keyword: String,
    /// The text after the keyword, trimmed.
    pub text: String,
    pub doc: Option<String>,
    /// Rows of cells, already unescaped (`\|`, `\\`, `\n`).
    pub table: Vec<Vec<String>>,
    /// 1-based line in the feature file.
    pub line: usize,
}

/// One runnable test case (an outline row is its own case).
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub tags: Vec<String>,
    pub steps: Vec<Step>,
    pub line: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Feature {
    pub name: String,
    pub scenarios: Vec<Scenario>,
}

/// A scenario (or outline) before expansion.
struct Block {
    name: String,
    tags: Vec<String>,
    steps: Vec<Step>,
    line: usize,
    outline: bool,
    /// Examples tables: header row first.
    examples: Vec<Vec<Vec<String>>>,
}

const KEYWORDS: [&str; 5] = ["Given", "When", "Then", "And", "But"];

/// Splits a table line `| a | b\|c |` into trimmed, unescaped cells.
pub fn split_row(line: &str) -> Vec<String> {
    let t = line.trim();
    let inner = t.strip_prefix('|').unwrap_or(t);
    // Raw cells: split on `|` not preceded by an escaping backslash.
    let mut raw: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '|' => raw.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        raw.push(cur);
    }
    raw.iter().map(|c| unescape_cell(c.trim())).collect()
}

fn unescape_cell(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('|') => out.push('|'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn leading_ws(s: &str) -> usize {
    s.chars().take_while(|c| c.is_whitespace()).count()
}

/// Parses a feature file's text.
pub fn parse(text: &str) -> Result<Feature, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut feature = Feature::default();
    let mut background: Vec<Step> = Vec::new();
    let mut in_background = false;
    let mut blocks: Vec<Block> = Vec::new();
    let mut pending_tags: Vec<String> = Vec::new();
    // Whether table rows go to the current Examples (true) or the last step.
    let mut in_examples = false;
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line = raw.trim();
        let lineno = i + 1;
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('@') {
            pending_tags.extend(line.split_whitespace().map(str::to_string));
            continue;
        }
        if let Some(rest) = line.strip_prefix("Feature:") {
            feature.name = rest.trim().to_string();
            pending_tags.clear();
            continue;
        }
        if line.starts_with("Background:") {
            in_background = true;
            in_examples = false;
            continue;
        }
        let (outline, rest) = if let Some(r) = line.strip_prefix("Scenario Outline:") {
            (true, Some(r))
        } else if let Some(r) = line.strip_prefix("Scenario Template:") {
            (true, Some(r))
        } else if let Some(r) = line.strip_prefix("Scenario:") {
            (false, Some(r))
        } else {
            (false, None)
        };
        if let Some(rest) = rest {
            in_background = false;
            in_examples = false;
            blocks.push(Block {
                name: rest.trim().to_string(),
                tags: std::mem::take(&mut pending_tags),
                steps: Vec::new(),
                line: lineno,
                outline,
                examples: Vec::new(),
            });
            continue;
        }
        if line.starts_with("Examples:") || line.starts_with("Scenarios:") {
            pending_tags.clear();
            let b = blocks
                .last_mut()
                .ok_or_else(|| format!("line {lineno}: Examples outside a scenario"))?;
            b.examples.push(Vec::new());
            in_examples = true;
            continue;
        }
        let steps = if in_background {
            &mut background
        } else {
            match blocks.last_mut() {
                Some(b) => &mut b.steps,
                None => return Err(format!("line {lineno}: step outside a scenario: {line}")),
            }
        };
        if line.starts_with("\"\"\"") || line.starts_with("```") {
            let fence = &line[..3];
            let indent = leading_ws(raw);
            let mut body: Vec<String> = Vec::new();
            loop {
                let Some(l) = lines.get(i) else {
                    return Err(format!("line {lineno}: unterminated doc string"));
                };
                i += 1;
                if l.trim() == fence {
                    break;
                }
                let strip = leading_ws(l).min(indent);
                body.push(l.chars().skip(strip).collect());
            }
            let step = steps
                .last_mut()
                .ok_or_else(|| format!("line {lineno}: doc string without a step"))?;
            step.doc = Some(body.join("\n"));
            continue;
        }
        if line.starts_with('|') {
            let row = split_row(line);
            if in_examples {
                if let Some(ex) = blocks.last_mut().and_then(|b| b.examples.last_mut()) {
                    ex.push(row);
                }
            } else {
                let step = steps
                    .last_mut()
                    .ok_or_else(|| format!("line {lineno}: table without a step"))?;
                step.table.push(row);
            }
            continue;
        }
        if let Some(kw) = KEYWORDS
            .iter()
            .find(|k| line.starts_with(*k) && line[k.len()..].starts_with(' '))
        {
            steps.push(Step {
                keyword: kw.to_string(),
                text: line[kw.len()..].trim().to_string(),
                doc: None,
                table: Vec::new(),
                line: lineno,
            });
            continue;
        }
        return Err(format!("line {lineno}: cannot read: {line}"));
    }

    for b in blocks {
        let mut steps = background.clone();
        steps.extend(b.steps.iter().cloned());
        if !b.outline {
            feature.scenarios.push(Scenario {
                name: b.name,
                tags: b.tags,
                steps,
                line: b.line,
            });
            continue;
        }
        let mut n = 0;
        for ex in &b.examples {
            let Some((header, rows)) = ex.split_first() else {
                continue;
            };
            for row in rows {
                n += 1;
                let pairs: Vec<(String, &str)> = header
                    .iter()
                    .zip(row.iter())
                    .map(|(h, v)| (format!("<{h}>"), v.as_str()))
                    .collect();
                let sub = |s: &str| -> String {
                    let mut s = s.to_string();
                    for (k, v) in &pairs {
                        if s.contains(k.as_str()) {
                            s = s.replace(k.as_str(), v);
                        }
                    }
                    s
                };
                let steps = steps
                    .iter()
                    .map(|st| Step {
                        keyword: st.keyword.clone(),
                        text: sub(&st.text),
                        doc: st.doc.as_deref().map(sub),
                        table: st
                            .table
                            .iter()
                            .map(|r| r.iter().map(|c| sub(c)).collect())
                            .collect(),
                        line: st.line,
                    })
                    .collect();
                feature.scenarios.push(Scenario {
                    name: format!("{} (example {n})", sub(&b.name)),
                    tags: b.tags.clone(),
                    steps,
                    line: b.line,
                });
            }
        }
    }
    Ok(feature)
}
