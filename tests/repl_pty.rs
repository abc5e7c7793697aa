//! Drives the real REPL in a pseudo-terminal: prompts, multi-line input
//! with a continuation prompt, errors that keep the session, Ctrl-C and
//! Ctrl-D, plain questions and `:why`.

use std::path::Path;
use std::process::Command;

use rexpect::session::spawn_command;

#[test]
fn repl_session_in_a_terminal() -> Result<(), rexpect::error::Error> {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("seed.ngs");
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
    cmd.env("NEWSGRAPH_HISTORY", dir.path().join("history.txt"));
    cmd.env("PAGER", "cat");
    cmd.env("TERM", "xterm");
    let mut p = spawn_command(cmd, Some(20_000))?;
    p.exp_string("newsgraph> ")?;

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
    p.exp_string("who met X")?;
    p.exp_string("newsgraph> ")?;

    // A failing :load keeps the graph.
    p.send_line(":load /nonexistent/graph.ngs")?;
    p.exp_string("graph unchanged")?;
    p.send_line(":stats")?;
    p.exp_regex(r"[1-9]\d* nodes")?;
    p.exp_string("newsgraph> ")?;

    // Ctrl-D leaves.
    p.send_control('d')?;
    p.exp_eof()?;
    Ok(())
}
