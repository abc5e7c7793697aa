//! Drives the real REPL in a pseudo-terminal: prompts, multi-line input
//! with a continuation prompt, errors that keep the session, Ctrl-C and
//! Ctrl-D, plain questions and `:why`; Tab completion that knows where it
//! is.

use std::path::Path;
use std::process::Command;

use rexpect::session::{PtySession, spawn_command};

/// The REPL in a terminal on a snapshot of one bundled article, written
/// to `dir/seed.ngs`, with its history in `dir/history.txt`.
fn start(dir: &Path) -> Result<PtySession, rexpect::error::Error> {
    let snap = dir.join("seed.ngs");
    let bin = env!("CARGO_BIN_EXE_newsgraph");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles/2025-04-26-kursk.txt");
    let ok = Command::new(bin)
        .arg("ingest")
        .arg(&seed)
        .arg("--out")
        .arg(&snap)
        .status()
        .unwrap();
    assert!(ok.success());

    let mut cmd = Command::new(bin);
    cmd.arg("repl").arg(&snap);
    cmd.env("NEWSGRAPH_HISTORY", dir.join("history.txt"));
    cmd.env("PAGER", "cat");
    cmd.env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000))?;
    p.exp_string("newsgraph> ")?;
    Ok(p)
}

#[test]
fn repl_session_in_a_terminal() -> Result<(), rexpect::error::Error> {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path())?;

    // Multi-line: continuation prompt until ';'.
    p.send_line("MATCH (p:Person)")?;
    p.exp_string("...> ")?;
    p.send_line("WHERE p.name CONTAINS 'Putin' RETURN p.name AS who;")?;
    p.exp_string("Vladimir Putin")?;
    p.exp_regex(r"1 row")?;
    p.exp_string("newsgraph> ")?;

    // A syntax error shows where, and the session goes on.
    p.send_line("RETURN 1 +;")?;
    p.exp_string("^")?;
    p.exp_string("newsgraph> ")?;

    // Ctrl-C clears the line.
    p.send("MATCH (n")?;
    p.send_control('c')?;
    p.exp_string("newsgraph> ")?;
    p.send_line("RETURN 40 + 2 AS answer;")?;
    p.exp_string("42")?;
    p.exp_string("newsgraph> ")?;

    // Tab completes a label where a label belongs (not PERFORMED) ...
    tab_then(
        &mut p,
        "MATCH (n:Pe",
        ") WITH count(*) AS c WHERE c > 0 RETURN c AS people;",
        r"\n1 row",
    )?;
    // ... and a name from any part of it inside quotes.
    tab_then(
        &mut p,
        "MATCH (n {name: 'Zelen",
        "'}) RETURN n.name AS who;",
        r"\n1 row",
    )?;

    // Plain questions and their evidence.
    p.send_line("who denied what")?;
    p.exp_regex(r"(?i)expel")?;
    p.exp_string("newsgraph> ")?;
    p.send_line(":why 1")?;
    p.exp_string("2025-04-26-kursk.txt")?;
    p.exp_string("newsgraph> ")?;

    // Unknown commands and questions are explained, not fatal.
    p.send_line(":nonsense")?;
    p.exp_string("unknown command")?;
    p.send_line("why is the sky blue")?;
    p.exp_string("nearest questions I understand")?;
    p.exp_string("newsgraph> ")?;

    // A failing :load keeps the graph.
    p.send_line(":load /nonexistent/graph.ngs")?;
    p.exp_string("graph unchanged")?;
    p.send_line(":stats")?;
    p.exp_regex(r"[1-9]\d* nodes")?;
    p.exp_string("newsgraph> ")?;

    // Tab completes a label after `n:`; plain output for the checks below.
    p.send_line(":format plain")?;
    p.exp_string("newsgraph> ")?;
    tab_then(
        &mut p,
        "MATCH (n:Pers",
        ") RETURN count(n) AS people;",
        r"\n[1-9]\d*\r?\n",
    )?;

    // Help on a topic.
    p.send_line(":help questions")?;
    p.exp_string("what happened in PLACE")?;
    p.exp_string("newsgraph> ")?;
    // The overview lists the procedures with their signatures ...
    p.send_line(":help")?;
    p.exp_string("news.timeline(actor :: STRING) :: (time :: ANY")?;
    p.exp_string("newsgraph> ")?;
    // ... and `:help procedures` says what each does.
    p.send_line(":help procedures")?;
    p.exp_string("algo.pageRank(label :: STRING) :: (node :: NODE, score :: FLOAT)")?;
    p.exp_string("PageRank of the nodes")?;
    p.exp_string("newsgraph> ")?;
    // A CALL { } subquery runs in the REPL like any query.
    p.send_line(
        "MATCH (p:Person) WHERE p.name CONTAINS 'Putin' CALL (p) { RETURN size(p.name) AS len } RETURN len;",
    )?;
    p.exp_regex(r"\n14\r?\n")?;
    p.exp_string("newsgraph> ")?;

    // Ctrl-C cancels a running query and the prompt comes back.
    p.send_line("MATCH (a), (b), (c), (d), (e) RETURN count(*);")?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    p.send_control('c')?;
    p.exp_string("cancelled")?;
    p.exp_string("newsgraph> ")?;

    // Leaving with unsaved changes asks first; "cancel" stays.
    p.send_line("CREATE (:Person {name: 'Ada Analyst'});")?;
    p.exp_string("1 nodes created")?;
    p.exp_string("newsgraph> ")?;
    p.send_control('d')?;
    p.exp_string("Unsaved changes")?;
    p.send_line("cancel")?;
    p.exp_string("newsgraph> ")?;

    // Ctrl-D leaves (answering "n": drop the changes).
    p.send_control('d')?;
    p.exp_string("Unsaved changes")?;
    p.send_line("n")?;
    p.exp_eof()?;

    // History persists in the file the session was given.
    let history = std::fs::read_to_string(dir.path().join("history.txt")).unwrap();
    assert!(history.contains("RETURN 40 + 2 AS answer;"), "{history}");
    Ok(())
}

/// Sends `text`, then Tab twice (the second lists the candidates when
/// there are several), and returns what the terminal showed between the
/// echo of `text` and the redrawn prompt: the list. Ctrl-C then clears the
/// line. (Each step waits for the terminal: text typed before the prompt is
/// drawn may be read as the answer to the editor's cursor query.)
/// Types `before`, presses Tab, finishes the line with `after`, and waits
/// for `answer` (a regex) and the next prompt: a completion that went wrong
/// leaves a statement that does not give the answer.
fn tab_then(
    p: &mut PtySession,
    before: &str,
    after: &str,
    answer: &str,
) -> Result<(), rexpect::error::Error> {
    p.send(before)?;
    p.send("\t")?;
    p.send_line(after)?;
    p.exp_regex(answer)?;
    p.exp_string("newsgraph> ")?;
    Ok(())
}

fn listed(p: &mut PtySession, text: &str) -> Result<String, rexpect::error::Error> {
    p.send(text)?;
    p.flush()?;
    p.exp_string(&text[text.len() - 2..])?;
    p.send("\t\t")?;
    p.flush()?;
    let shown = p.exp_string("newsgraph> ")?;
    p.send_control('c')?;
    p.exp_string("newsgraph> ")?;
    Ok(shown)
}

#[test]
fn completion_knows_the_context_in_a_terminal() -> Result<(), rexpect::error::Error> {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path())?;
    p.send_line(":format plain")?;
    p.exp_string("format: plain")?;
    p.exp_string("newsgraph> ")?;

    // Keys after `c.` are those claims have, not those of persons ...
    let list = listed(&mut p, "MATCH (c:Claim) RETURN c.")?;
    assert!(
        list.contains("stance") && list.contains("quote"),
        "{list:?}"
    );
    assert!(!list.contains("aliases"), "{list:?}");
    // ... and after `p.` those persons have, not `stance`.
    let list = listed(&mut p, "MATCH (p:Person) RETURN p.")?;
    assert!(
        list.contains("aliases") && list.contains("name"),
        "{list:?}"
    );
    assert!(
        !list.contains("stance") && !list.contains("quote"),
        "{list:?}"
    );
    // A unique key completes: claims have one key with `s` (all nodes
    // have three: source, stance, status), read from the earlier line.
    p.send_line("MATCH (c:Claim)")?;
    p.exp_string("...> ")?;
    tab_then(&mut p, "RETURN count(c.s", ") AS n;", r"\n[1-9]\d*\r?\n")?;

    // Functions where an expression starts.
    tab_then(&mut p, "RETURN toU", "'abc') AS up;", r"\nABC\r?\n")?;
    // Clause keywords after an expression, in the user's case.
    tab_then(
        &mut p,
        "MATCH (n) WHERE n.name STARTS WITH 'Vladimir' RET",
        " n.name AS who;",
        r"\nVladimir Putin\r?\n",
    )?;
    tab_then(
        &mut p,
        "match (n:Person) where n.name contains 'Putin' ret",
        " count(n) AS n;",
        r"\n1\r?\n",
    )?;
    // The statement's variables where an expression starts (not the
    // label `Person`).
    tab_then(
        &mut p,
        "MATCH (person:Person) WHERE pers",
        ".name CONTAINS 'Putin' RETURN person.name AS who;",
        r"\nVladimir Putin\r?\n",
    )?;

    // Types after `:` in a relationship.
    tab_then(
        &mut p,
        "MATCH (a)-[r:DEN",
        "]->(c) RETURN count(r) AS n;",
        r"\n[1-9]\d*\r?\n",
    )?;
    // :commands, and file paths after :load.
    tab_then(&mut p, ":sta", "", r"[1-9]\d* nodes")?;
    p.send(&format!(":load {}/se", dir.path().display()))?;
    p.send("\t")?;
    p.send_line("")?;
    p.exp_string("seed.ngs")?;
    p.exp_string("loaded")?;
    p.exp_string("newsgraph> ")?;
    p.send_line(":quit")?;
    p.exp_eof()?;
    Ok(())
}
