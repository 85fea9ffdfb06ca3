"""Matcher speed and size: training time, memory, and median and p99 per message.

Run: python bench/match_bench.py [--rounds N] [--eval FILE.jsonl]
Prints figures; asserts nothing. Training is timed without the model cache (as after a phrase
edit) on the cores the process may use, then the trained matcher answers every message of the
file (default: the repository's own eval/sample.jsonl, else the content's phrases) on one core,
several rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


# Run in a child process: what a server that finds the models in its cache holds for them.
SERVING_MEMORY = """
import os, pickle, sys
from pathlib import Path
def rss():
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
import numpy, gfmd_info.matcher
before = rss()
models = pickle.loads(Path(sys.argv[1]).read_bytes())
print(round(rss() - before))
"""


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def rss_mb() -> float:
    """Resident memory now (not the peak), from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def messages(path: Path | None) -> list[tuple[str, str | None]]:
    if path is not None and path.exists():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        return [(str(r["text"]), r.get("lang")) for r in rows]
    from gfmd_info.knowledge import lexicons
    from gfmd_info.loader import load_content

    content = load_content(REPO / "content")
    return [
        (phrase, lang)
        for lang, lexicon in lexicons(content).items()
        for phrases in lexicon.phrases.values()
        for phrase in phrases[::20]
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--eval", type=Path, default=REPO / "eval" / "sample.jsonl")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    before = rss_mb()
    from gfmd_info.knowledge import Knowledge
    from gfmd_info.loader import load_content

    content = load_content(REPO / "content")
    imported = rss_mb()
    started = time.perf_counter()
    knowledge = Knowledge.from_content(content)  # no cache folder: trains from the phrases
    train_s = time.perf_counter() - started
    trained = rss_mb()
    matcher = knowledge.matcher
    items = messages(args.eval)
    # Training uses every core it is given (the two models train side by side); a message is
    # answered on one core, so the figures below are for one.
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    def timed_round(with_lang: bool) -> list[float]:
        out = []
        for text, lang in items:
            t0 = time.perf_counter()
            matcher.match(text, lang if with_lang else None)
            out.append(time.perf_counter() - t0)
        return out

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "models.pickle"
        path.write_bytes(pickle.dumps(matcher._models, protocol=pickle.HIGHEST_PROTOCOL))
        loaded = subprocess.run(
            [sys.executable, "-c", SERVING_MEMORY, str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        cached_mb = path.stat().st_size / 1e6

    first = timed_round(True)
    warm: list[float] = []
    for _ in range(args.rounds):
        warm += timed_round(True)
    no_lang = timed_round(False)

    print(f"cpu: {cpu_name()} (one core, python {platform.python_version()})")
    print(f"languages loaded: {len(matcher.languages)} ({', '.join(matcher.languages)})")
    print(f"training (both models, no cache, {cores} core(s)): {train_s:.2f} s")
    print(
        f"memory: {before:.0f} MB at start, {imported:.0f} MB with the content loaded, "
        f"{trained:.0f} MB with the matcher trained: +{trained - imported:.0f} MB for the "
        f"models (+{trained - before:.0f} MB with libraries and content)"
    )
    print(
        f"serving memory (a fresh process loading the cached models, {cached_mb:.0f} MB file): "
        f"+{loaded} MB"
    )
    print(f"messages: {len(items)}, rounds: {args.rounds}")
    for name, values in (("first round", first), ("later rounds", warm), ("no lang", no_lang)):
        print(
            f"{name:<14} median {statistics.median(values) * 1000:.3f} ms   "
            f"p99 {percentile(values, 0.99) * 1000:.3f} ms   "
            f"{len(values) / sum(values):,.0f} msg/s"
        )


if __name__ == "__main__":
    main()
