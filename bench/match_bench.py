"""Matcher speed: median and p99 per message and messages per second, every language loaded.

Run: python bench/match_bench.py [--rounds N] [--eval ../shared/eval/dev.jsonl]
Prints figures; asserts nothing. Each message is timed on a fresh matcher cache for the first
round ("cold") and again on later rounds ("warm", the word cache filled, as in a running bot).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from gfmd_info.knowledge import Knowledge

REPO = Path(__file__).resolve().parents[1]


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.eval.read_text(encoding="utf-8").splitlines() if line]
    items = [(str(r["text"]), r.get("lang")) for r in rows]

    started = time.perf_counter()
    knowledge = Knowledge.load(REPO / "content")
    load_s = time.perf_counter() - started
    matcher = knowledge.matcher

    def timed_round() -> list[float]:
        out = []
        for text, lang in items:
            t0 = time.perf_counter()
            matcher.match(text, lang)
            out.append(time.perf_counter() - t0)
        return out

    cold = timed_round()
    warm: list[float] = []
    for _ in range(args.rounds):
        warm += timed_round()
    no_lang = []
    for text, _lang in items:
        t0 = time.perf_counter()
        matcher.match(text, None)
        no_lang.append(time.perf_counter() - t0)

    print(f"cpu: {cpu_name()} (one core, python {platform.python_version()})")
    print(f"languages loaded: {len(matcher.languages)} ({', '.join(matcher.languages)})")
    print(f"content load + index build: {load_s * 1000:.0f} ms")
    print(f"messages: {len(items)}, warm rounds: {args.rounds}")
    for name, values in (("cold", cold), ("warm", warm), ("warm, no lang", no_lang)):
        print(
            f"{name:<14} median {statistics.median(values) * 1000:.3f} ms   "
            f"p99 {percentile(values, 0.99) * 1000:.3f} ms   "
            f"{len(values) / sum(values):,.0f} msg/s"
        )


if __name__ == "__main__":
    main()
