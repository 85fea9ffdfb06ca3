"""Accuracy of the matcher on labelled messages (JSONL shaped like ../shared/eval/dev.jsonl)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from gfmd_info.matcher import EMERGENCY, Decision, Matcher, MatchResult

NONE_LABEL = "none"


@dataclass(frozen=True)
class LabelledMessage:
    id: str
    lang: str | None
    text: str
    expected: frozenset[str]


def read_labelled(lines: Iterable[str]) -> Iterator[LabelledMessage]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        yield LabelledMessage(
            id=str(row.get("id", number)),
            lang=row.get("lang"),
            text=str(row["text"]),
            expected=frozenset(row["expected"]),
        )


@dataclass
class _Tally:
    total: int = 0
    top1: int = 0
    top3: int = 0

    def rate(self, hits: int) -> float:
        return hits / self.total if self.total else 0.0


@dataclass
class EvalReport:
    overall: _Tally = field(default_factory=_Tally)
    by_lang: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    emergencies: int = 0
    emergencies_caught: int = 0
    non_emergencies: int = 0
    false_emergencies: int = 0
    nones: int = 0
    nones_caught: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[tuple[LabelledMessage, MatchResult]] = field(default_factory=list)

    @property
    def top1(self) -> float:
        return self.overall.rate(self.overall.top1)

    @property
    def top3(self) -> float:
        return self.overall.rate(self.overall.top3)

    @property
    def emergency_recall(self) -> float:
        return self.emergencies_caught / self.emergencies if self.emergencies else 1.0

    @property
    def false_emergency_rate(self) -> float:
        return self.false_emergencies / self.non_emergencies if self.non_emergencies else 0.0

    @property
    def none_recall(self) -> float:
        return self.nones_caught / self.nones if self.nones else 1.0


def _first_answer(result: MatchResult) -> str:
    return result.topic if result.decision is not Decision.NONE and result.topic else NONE_LABEL


def _candidates(result: MatchResult) -> list[str]:
    if result.decision is Decision.NONE:
        return [NONE_LABEL]
    return list(result.alternatives[:3]) or [NONE_LABEL]


def evaluate(matcher: Matcher, messages: Iterable[LabelledMessage], use_lang: bool) -> EvalReport:
    report = EvalReport()
    for message in messages:
        result = matcher.match(message.text, message.lang if use_lang else None)
        first = _first_answer(result)
        hit1 = first in message.expected
        hit3 = hit1 or any(c in message.expected for c in _candidates(result))
        for tally in (report.overall, report.by_lang[message.lang or "?"]):
            tally.total += 1
            tally.top1 += hit1
            tally.top3 += hit3
        if EMERGENCY in message.expected:
            report.emergencies += 1
            report.emergencies_caught += result.emergency
        else:
            report.non_emergencies += 1
            report.false_emergencies += result.emergency
        if message.expected == {NONE_LABEL}:
            report.nones += 1
            report.nones_caught += first == NONE_LABEL
        if not hit1:
            expected = sorted(message.expected)[0]
            report.confusions[(expected, first)] += 1
            report.misses.append((message, result))
    return report


def format_report(report: EvalReport, confusions: int = 10) -> str:
    lines = [
        f"messages: {report.overall.total}",
        f"top-1: {report.top1:.1%}   top-3: {report.top3:.1%}",
        f"emergency recall: {report.emergency_recall:.1%} "
        f"({report.emergencies_caught}/{report.emergencies})   "
        f"false emergency: {report.false_emergency_rate:.1%} "
        f"({report.false_emergencies}/{report.non_emergencies})",
        f"none recall: {report.none_recall:.1%} ({report.nones_caught}/{report.nones})",
        "",
        f"{'lang':<6}{'n':>5}{'top-1':>9}{'top-3':>9}",
    ]
    for lang in sorted(report.by_lang):
        tally = report.by_lang[lang]
        lines.append(
            f"{lang:<6}{tally.total:>5}{tally.rate(tally.top1):>9.1%}{tally.rate(tally.top3):>9.1%}"
        )
    if report.confusions:
        lines += ["", "most frequent confusions (expected -> answered):"]
        for (expected, got), count in report.confusions.most_common(confusions):
            lines.append(f"  {count:>3}  {expected} -> {got}")
    return "\n".join(lines)
