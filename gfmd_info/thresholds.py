"""The matcher's decision thresholds, chosen by cross-validation (`gfmd-bot matcher tune`).

They live in `matcher-thresholds.json` beside this module, with the figures the cross-validation
printed and the fingerprint of the phrases it ran on, so a reader can see where each came from.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

THRESHOLDS_FILE = Path(__file__).with_name("matcher-thresholds.json")


@dataclass(frozen=True)
class Thresholds:
    # Below this top score the message is "not understood" (the menu), not a topic.
    none_score: float = -0.6
    # A top score this far above the runner-up is answered directly; closer, a choice of three.
    answer_margin: float = 0.3
    # The same for a message of one word, which says less (None: as `answer_margin`).
    one_word_answer_margin: float | None = None
    # An emergency score at or above this leads the answer with the call line.
    possible_danger: float = -0.6
    # At or above this, a message led by the emergency topic, or understood as nothing else,
    # gets the urgent answer.
    urgent_danger: float = -0.4
    # The same two for the highest score over a long message's windows (None: as the above).
    possible_window: float | None = None
    urgent_window: float | None = None
    # A language margin at or above this lets a message decide or change a person's language.
    language_margin: float = 0.3
    fingerprint: str = ""
    figures: dict[str, float] = field(default_factory=dict)

    def possible(self, whole: float, window: float) -> bool:
        """Whether danger may be near: the call line leads the answer."""
        limit = self.possible_danger if self.possible_window is None else self.possible_window
        return whole >= self.possible_danger or window >= limit

    def urgent(self, whole: float, window: float) -> bool:
        """Whether danger is read clearly enough for the urgent answer (where it is eligible)."""
        limit = self.urgent_danger if self.urgent_window is None else self.urgent_window
        return whole >= self.urgent_danger or window >= limit

    def margin_for(self, words: int) -> float:
        """The lead a message of `words` words needs for a direct answer."""
        if words == 1 and self.one_word_answer_margin is not None:
            return self.one_word_answer_margin
        return self.answer_margin

    @classmethod
    def load(cls, path: Path = THRESHOLDS_FILE) -> Thresholds:
        if not path.exists():
            return cls()
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(**raw)

    def save(self, path: Path = THRESHOLDS_FILE) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")
