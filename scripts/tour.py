#!/usr/bin/env python3
"""Regenerates the README tour: every fenced block between
`<!-- tour:start -->` and `<!-- tour:end -->` whose first line is
`$ COMMAND` is re-run with bash (target/release first on PATH,
COLUMNS=100, from the repository root) and the lines after the command are
replaced by what it prints on stdout. Nothing else in the README changes.

    cargo build --release && python3 scripts/tour.py          # rewrite README.md
    python3 scripts/tour.py --check                           # exit 1 and a diff if it drifted

`tests/tour.rs` checks the same from `cargo test` with the binary under test.
"""

import difflib
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
BLOCK = re.compile(r"^```\n\$ (?P<cmd>[^\n]*)\n(?P<out>.*?)^```$", re.M | re.S)


def run(cmd, env):
    r = subprocess.run(["bash", "-c", cmd], cwd=ROOT, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"tour command failed ({r.returncode}): {cmd}\n{r.stderr}")
    return r.stdout


def regenerate(text, env):
    start = text.index("<!-- tour:start -->")
    end = text.index("<!-- tour:end -->")
    tour = text[start:end]

    def replace(m):
        out = run(m.group("cmd"), env)
        if out and not out.endswith("\n"):
            out += "\n"
        return f"```\n$ {m.group('cmd')}\n{out}```"

    return text[:start] + BLOCK.sub(replace, tour) + text[end:]


def main():
    env = dict(os.environ)
    env["PATH"] = os.path.join(ROOT, "target", "release") + os.pathsep + env.get("PATH", "")
    env["COLUMNS"] = "100"
    binary = os.path.join(ROOT, "target", "release", "newsgraph")
    if not os.path.exists(binary):
        sys.exit("build the release binary first: cargo build --release")
    old = open(README, encoding="utf-8").read()
    new = regenerate(old, env)
    if "--check" in sys.argv[1:]:
        if new != old:
            sys.stdout.writelines(
                difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True), "README.md", "tour output"
                )
            )
            sys.exit(1)
        print("README tour matches the binary")
        return
    if new != old:
        with open(README, "w", encoding="utf-8") as f:
            f.write(new)
        print("README tour regenerated")
    else:
        print("README tour unchanged")


if __name__ == "__main__":
    main()
