"""Accuracy of the matcher on labelled messages (JSONL shaped like ../shared/eval/dev.jsonl)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from gfmd_info.language_id import ROMANISED_TWINS, Script, dominant_script
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
    emergencies: int = 0
    urgent: int = 0  # emergencies answered with the emergency topic
    call_line: int = 0  # emergencies whose reply leads with the call line (urgent or possible)
    non_emergencies: int = 0
    false_urgent: int = 0
    false_call_line: int = 0
    nones: int = 0
    nones_caught: int = 0
    lang_right: int = 0

    def rate(self, hits: int, of: int | None = None) -> float:
        total = self.total if of is None else of
        return hits / total if total else 1.0


@dataclass
class EvalReport:
    overall: _Tally = field(default_factory=_Tally)
    by_lang: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
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
        """Emergencies whose reply leads with the call line (the urgent topic or a flag)."""
        return self.overall.rate(self.overall.call_line, self.overall.emergencies)

    @property
    def false_emergency_rate(self) -> float:
        """Messages that are no emergency but were answered with the emergency topic."""
        return 1.0 - self.overall.rate(
            self.overall.non_emergencies - self.overall.false_urgent, self.overall.non_emergencies
        )

    @property
    def none_recall(self) -> float:
        return self.overall.rate(self.overall.nones_caught, self.overall.nones)

    @property
    def language_accuracy(self) -> float:
        return self.overall.rate(self.overall.lang_right)


def _first_answer(result: MatchResult) -> str:
    return result.topic if result.decision is not Decision.NONE and result.topic else NONE_LABEL


def _candidates(result: MatchResult) -> list[str]:
    if result.decision is Decision.NONE:
        return [NONE_LABEL]
    return list(result.alternatives[:3]) or [NONE_LABEL]


def language_right(result: MatchResult, text: str, expected: str | None) -> bool:
    """The written language found without a hint; romanised Hindi and Urdu count as one."""
    written = result.written.lang if result.written else result.lang
    if expected is None or written == expected:
        return expected is None or written == expected
    twins = {written, expected} <= ROMANISED_TWINS
    return twins and dominant_script(text) is Script.LATIN


def evaluate(matcher: Matcher, messages: Iterable[LabelledMessage], use_lang: bool) -> EvalReport:
    report = EvalReport()
    for message in messages:
        result = matcher.match(message.text, message.lang if use_lang else None)
        first = _first_answer(result)
        hit1 = first in message.expected
        hit3 = hit1 or any(c in message.expected for c in _candidates(result))
        call_line = result.emergency or result.danger_possible
        for tally in (report.overall, report.by_lang[message.lang or "?"]):
            tally.total += 1
            tally.top1 += hit1
            tally.top3 += hit3
            tally.lang_right += language_right(result, message.text, message.lang)
            if EMERGENCY in message.expected:
                tally.emergencies += 1
                tally.urgent += result.emergency
                tally.call_line += call_line
            else:
                tally.non_emergencies += 1
                tally.false_urgent += result.emergency
                tally.false_call_line += call_line
            if message.expected == {NONE_LABEL}:
                tally.nones += 1
                tally.nones_caught += first == NONE_LABEL
        if not hit1:
            expected = sorted(message.expected)[0]
            report.confusions[(expected, first)] += 1
            report.misses.append((message, result))
    return report


_HEADER = (
    f"{'lang':<6}{'n':>5}{'top-1':>8}{'top-3':>8}{'em.call':>9}{'em.topic':>9}"
    f"{'false em':>9}{'call+':>7}{'none':>7}{'lang':>7}"
)


def _row(name: str, t: _Tally) -> str:
    return (
        f"{name:<6}{t.total:>5}{t.rate(t.top1):>8.1%}{t.rate(t.top3):>8.1%}"
        f"{t.rate(t.call_line, t.emergencies):>9.1%}{t.rate(t.urgent, t.emergencies):>9.1%}"
        f"{1 - t.rate(t.non_emergencies - t.false_urgent, t.non_emergencies):>9.1%}"
        f"{1 - t.rate(t.non_emergencies - t.false_call_line, t.non_emergencies):>7.1%}"
        f"{t.rate(t.nones_caught, t.nones):>7.1%}{t.rate(t.lang_right):>7.1%}"
    )


def format_report(report: EvalReport, confusions: int = 10) -> str:
    o = report.overall
    lines = [
        f"messages: {o.total}",
        f"top-1: {report.top1:.1%}   top-3: {report.top3:.1%}",
        f"emergency recall: {report.emergency_recall:.1%} ({o.call_line}/{o.emergencies} "
        f"lead with the call line; {o.urgent} answered with the emergency topic)",
        f"false emergency: {report.false_emergency_rate:.1%} ({o.false_urgent}/"
        f"{o.non_emergencies} answered with the emergency topic; {o.false_call_line} "
        "led with the call line)",
        f"none recall: {report.none_recall:.1%} ({o.nones_caught}/{o.nones})",
        f"language accuracy (no hint): {report.language_accuracy:.1%} ({o.lang_right}/{o.total})",
        "",
        "em.call: emergencies led by the call line; em.topic: answered with the emergency topic;",
        "false em: non-emergencies given the emergency topic; call+: given the call line;",
        "none: none recall; lang: written language found without a hint.",
        _HEADER,
    ]
    for lang in sorted(report.by_lang):
        lines.append(_row(lang, report.by_lang[lang]))
    lines.append(_row("all", o))
    if report.confusions:
        lines += ["", "most frequent confusions (expected -> answered):"]
        for (expected, got), count in report.confusions.most_common(confusions):
            lines.append(f"  {count:>3}  {expected} -> {got}")
    return "\n".join(lines)
