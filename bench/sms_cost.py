"""What the topic answers cost in SMS, per language: pages and segments, with and without
transliteration to GSM-7.

Each topic's answer is paginated as the bot pages it: the summary, then each section (heading
on its own line above its text) read with MORE, packed into pages of at most 3 segments with
the hint "Reply MORE for more.". "translit" measures a page as sent (after `to_gsm7`); "raw"
measures the same page text without transliteration.

    cd /work/main && python bench/sms_cost.py [CONTENT_DIR]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.paging import SMS, paginate  # noqa: E402
from gfmd_info.sms_encoding import Encoding, Measure, measure, to_gsm7  # noqa: E402

HINT = "Reply MORE for more."
TEXT_STATUSES = frozenset({"draft", "reviewed"})


@dataclass
class LanguageCost:
    topics: int = 0
    translit: list[Measure] = field(default_factory=list)
    raw: list[Measure] = field(default_factory=list)


def topic_pieces(topic: dict[str, object]) -> list[str]:
    pieces = [str(topic.get("summary") or "")]
    sections = topic.get("sections") or []
    assert isinstance(sections, list)
    for section in sections:
        assert isinstance(section, dict)
        pieces.append(f"{section.get('heading', '')}\n{section.get('text', '')}".strip())
    return pieces


def language_cost(folder: Path) -> LanguageCost:
    cost = LanguageCost()
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        topic = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(topic, dict) or topic.get("status") not in TEXT_STATUSES:
            continue
        pages = paginate(topic_pieces(topic), SMS, HINT)
        if not pages:
            continue
        cost.topics += 1
        cost.translit += [measure(to_gsm7(page)) for page in pages]
        cost.raw += [measure(page) for page in pages]
    return cost


def _segments(measures: list[Measure]) -> tuple[int, float, int]:
    counts = [m.segments for m in measures]
    return sum(counts), sum(counts) / len(counts), max(counts)


def _gsm7_share(measures: list[Measure]) -> float:
    return 100 * sum(m.encoding is Encoding.GSM7 for m in measures) / len(measures)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("content", nargs="?", type=Path, default=ROOT / "content")
    args = parser.parse_args(argv)
    columns = f"{'segments':>9}{'avg':>6}{'max':>4}{'gsm7':>6}"
    print(f"{'':18} | {'with transliteration':^25} | {'raw page text':^25}")
    header = f"{'lang':<5}{'topics':>7}{'pages':>6} | {columns} | {columns}"
    print(header)
    print("-" * len(header))
    for folder in sorted(p for p in args.content.iterdir() if p.is_dir()):
        cost = language_cost(folder)
        if not cost.topics:
            continue
        t_sum, t_avg, t_max = _segments(cost.translit)
        r_sum, r_avg, r_max = _segments(cost.raw)
        print(
            f"{folder.name:<5}{cost.topics:>7}{len(cost.translit):>6} | "
            f"{t_sum:>9}{t_avg:>6.2f}{t_max:>4}{_gsm7_share(cost.translit):>5.0f}% | "
            f"{r_sum:>9}{r_avg:>6.2f}{r_max:>4}{_gsm7_share(cost.raw):>5.0f}%"
        )


if __name__ == "__main__":
    main()
