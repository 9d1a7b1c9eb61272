"""TUI start-up: time from launching `kb tui` in a pseudo-terminal to a usable question box and to a first answer.

Usage: `.venv/bin/python -m bench.tui_startup [--runs 7] [--corpus corpus] [--index bench/cache/corpus-index]`
(`--no-warm-up`: the smoke test's quick run).

Each round, interleaved after one unmeasured warm-up of each: `bare` is a Textual app with one Input (the same
placeholder) launched the same way, the floor of any Textual program on this machine; `kb tui` is the real
command on an index of the bundled corpus (bench/cache/corpus-index, built once with `kb ingest`). Both run in
a 120x40 pseudo-terminal (the standard library's `pty`); the output is read as it comes and stripped of escape
sequences. `box shown`: the question box's placeholder is on screen; `interactive`: three characters typed at
that moment are echoed in the box (the app is reading keys); `first answer` (kb only): a question typed at once
and Enter, until the answer's status line is drawn (the model loads in the background meanwhile). Medians over
rounds, and kb/bare ratios from the same round. Results: bench/results/tui_startup.json.
"""

import argparse
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

from bench.common import CACHE, ROOT, corpus_index, header, log, median, target, write_json

PLACEHOLDER = "ype a question and press Enter"  # the first letter may be drawn apart, under the cursor
PROBE = "zqx"
QUESTION = "How did countries extend pensions to older people who never contributed?"
ANSWERED = re.compile(r"citations? — enter opens|No passage answers this")
ESCAPES = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[()][A-Za-z0-9]|[=>78MDEc])")
TIMEOUT = 60.0
INDEX = CACHE / "corpus-index"
BARE = """
from textual.app import App
from textual.widgets import Input
class Bare(App):
    def compose(self):
        yield Input(placeholder="Type a question and press Enter")
Bare().run()
"""


class Terminal:
    """A child process on a pseudo-terminal; `wait_for` reads its output until a pattern shows up."""

    def __init__(self, argv: list[str], cols: int = 120, rows: int = 40) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)}
        env.pop("TEXTUAL", None)
        self.start = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.text = ""

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def wait_for(self, pattern: "str | re.Pattern[str]", since: int = 0) -> float:
        """Seconds since launch when `pattern` first appears in the output after offset `since`."""
        deadline = time.perf_counter() + TIMEOUT
        while time.perf_counter() < deadline:
            found = pattern.search(self.text, since) if isinstance(pattern, re.Pattern) else (
                self.text.find(pattern, since) >= 0)
            if found:
                return self.elapsed()
            ready, _, _ = select.select([self.master], [], [], 0.005)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                self.text += ESCAPES.sub(b"", chunk).decode("utf-8", "replace")
        raise TimeoutError(f"{pattern!r} did not appear within {TIMEOUT} s; output so far: {self.text[-500:]!r}")

    def type(self, keys: str) -> int:
        """Send keys; returns the output offset they were sent at."""
        mark = len(self.text)
        os.write(self.master, keys.encode())
        return mark

    def close(self) -> None:
        try:
            os.write(self.master, b"\x11")  # ctrl+q
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)


def one(argv: list[str], ask: bool) -> dict[str, float]:
    term = Terminal(argv)
    try:
        out = {"box_shown": term.wait_for(PLACEHOLDER)}
        mark = term.type(PROBE)
        out["interactive"] = term.wait_for(PROBE, mark)
        if ask:
            term.type("\x7f" * len(PROBE) + QUESTION)
            mark = term.type("\r")
            out["first_answer"] = term.wait_for(ANSWERED, mark)
    finally:
        term.close()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="folder the index is built from")
    parser.add_argument("--index", type=Path, default=INDEX, help="where the index is built (once)")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        help="no unmeasured first launch (the smoke test: cold file cache, figures not comparable)")
    args = parser.parse_args(argv)
    index = corpus_index(args.corpus, args.index)
    kb_bin = str(Path(sys.executable).with_name("kb"))
    commands = {"bare": ([sys.executable, "-c", BARE], False), "kb tui": ([kb_bin, "tui", "--index", str(index)], True)}
    for argv_, ask in commands.values() if args.warm_up else ():  # file cache, bytecode
        one(argv_, ask)
    raw: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for r in range(args.runs):
        for name, (argv_, ask) in commands.items():
            raw[name].append(one(argv_, ask))
        log(f"  round {r + 1}/{args.runs}: " + "; ".join(
            f"{n} " + ", ".join(f"{k} {v:.2f} s" for k, v in raw[n][-1].items()) for n in raw))
    summary: dict[str, Any] = {
        name: {k: round(median([x[k] for x in rows]), 3) for k in rows[0]} for name, rows in raw.items()
    }
    summary["ratio_kb_to_bare"] = {
        k: round(median([kb[k] / bare[k] for kb, bare in zip(raw["kb tui"], raw["bare"])]), 2)
        for k in ("box_shown", "interactive")
    }
    s = summary["kb tui"]
    payload = {
        **header({"runs": args.runs, "warm_up": args.warm_up, "terminal": "120x40 pty", "index": str(index),
                  "question": QUESTION}),
        "summary": summary,
        "runs": raw,
        "targets": [
            target("TUI start-up to an interactive question box", "< 1 s",
                   f"{s['interactive']:.2f} s (box drawn at {s['box_shown']:.2f} s)", s["interactive"] < 1.0,
                   baseline=f"bare Textual app with one Input {summary['bare']['interactive']:.2f} s "
                            f"(kb = {summary['ratio_kb_to_bare']['interactive']:.2f}x)"),
            target("TUI start-up to the first answer", "informational",
                   f"{s['first_answer']:.2f} s from launch (question typed at once; model loads meanwhile)", None),
        ],
    }
    print(f"{'':8} {'box shown':>10} {'interactive':>12} {'first answer':>13}")
    for name in commands:
        row = summary[name]
        print(f"{name:8} {row['box_shown']:>9.2f}s {row['interactive']:>11.2f}s "
              f"{row.get('first_answer', float('nan')):>12.2f}s")
    print(f"kb/bare: {summary['ratio_kb_to_bare']}")
    print(f"written to {write_json('tui_startup', payload)}")


if __name__ == "__main__":
    main()
