#!/usr/bin/env python3
"""Resident memory of the REPL (on a pseudo-terminal) before, during and
after one large query (issue 14, point 2; figures in docs/reliability.md).

    python3 scripts/repl_rss.py BIN 'SETUP; SETUP' 'QUERY;' end
    python3 scripts/repl_rss.py BIN ':maxmemory 3G' 'QUERY;' ctrlc 3

`end` waits for the query to end (rows, error, timeout); `ctrlc N` presses
Ctrl-C after N seconds. The REPL opens the default workspace (the bundled
articles) under HOME=$REPL_RSS_HOME (default /tmp/repl-rss). With TRIM=1,
gdb then calls malloc_trim(0) in the REPL and the RSS is printed again.
"""
import os
import pty
import re
import select
import subprocess
import sys
import time

BIN, SETUP, QUERY, MODE = sys.argv[1:5]
WAIT = int(sys.argv[5]) if len(sys.argv) > 5 else 3


def rss(pid):
    s = open(f"/proc/{pid}/status").read()
    get = lambda k: int(re.search(k + r":\s+(\d+)", s).group(1)) // 1024
    return get("VmRSS"), get("VmHWM")


pid, fd = pty.fork()
if pid == 0:
    os.environ["HOME"] = os.environ.get("REPL_RSS_HOME", "/tmp/repl-rss")
    os.execv(BIN, [BIN, "repl"])
buf = b""


def read_until(pat, secs):
    global buf
    end = time.time() + secs
    while time.time() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                buf += os.read(fd, 65536)
            except OSError:
                return False
            if re.search(pat, buf):
                return True
    return False


read_until(rb"Type :help", 600)
for cmd in SETUP.split(";"):
    if cmd.strip():
        os.write(fd, cmd.strip().encode() + b"\r")
        time.sleep(0.5)
time.sleep(1)
before = rss(pid)[0]
mark = len(buf)
os.write(fd, QUERY.encode() + b"\r")
at_ctrl_c = None
if MODE == "ctrlc":
    time.sleep(WAIT)
    at_ctrl_c = rss(pid)[0]
    os.write(fd, b"\x03")
read_until(rb"timed out|cancelled|memory than|\d+ rows? \(", 600)
time.sleep(2)
after, peak = rss(pid)
ended = re.findall(r"(TransientError[^\r\n]*|\d+ rows? \([^\r\n]*)", buf[mark:].decode(errors="replace"))
print(
    f"before {before} MiB; "
    + (f"at Ctrl-C {at_ctrl_c} MiB; " if at_ctrl_c is not None else "")
    + f"peak {peak} MiB; after {after} MiB; ended: {ended[-1][:80] if ended else '?'}"
)
if os.environ.get("TRIM"):
    subprocess.run(["gdb", "-batch", "-p", str(pid), "-ex", "call (int)malloc_trim(0)"], capture_output=True)
    print(f"  after malloc_trim(0) from gdb: {rss(pid)[0]} MiB")
os.write(fd, b":quit\r")
time.sleep(0.5)
try:
    os.kill(pid, 9)
except ProcessLookupError:
    pass
os.waitpid(pid, 0)
