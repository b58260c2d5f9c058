"""One figure of the report: what was measured, against which target, and whether it passed."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.machine import table


@dataclass
class Figure:
    """A measured figure; ``value`` is what the target judges, ``samples`` what it came from.

    For ratios of times, ``samples`` are the ratio of each repeat and ``value``
    their median; for request counts, the ratio of each scheduled run and
    ``value`` the ratio of their totals; for memory, the growth of each crawl.
    ``value`` is ``None`` when the figure could not be measured (``note`` says why).
    """

    key: str
    name: str
    target: float
    unit: str = ""
    samples: list[float] = field(default_factory=list)
    value: float | None = None
    note: str = ""
    broken: str = ""  # set when the crawl measured lost articles: the figure fails whatever its value
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        if self.broken:
            return False
        return None if self.value is None else self.value <= self.target

    @property
    def minimum(self) -> float | None:
        return min(self.samples) if self.samples else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    def measured(self) -> str:
        if self.value is None:
            return "not measured"
        text = self.format(self.value)
        if len(self.samples) > 1:
            assert self.minimum is not None and self.median is not None
            text += f" (min {self.format(self.minimum)} / median {self.format(self.median)}, n={len(self.samples)})"
        return text

    def format(self, number: float) -> str:
        if self.unit == "%":
            return f"{number:+.1%}"
        return f"{number:.2f}{self.unit}"

    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "n/a"}[self.passed]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(passed=self.passed, min=self.minimum, median=self.median, n=len(self.samples))
        return data


def report(figures: list[Figure]) -> str:
    """The table of every figure: measured, target, pass/fail, and a note."""
    rows = [
        [
            figure.name,
            figure.measured(),
            f"≤ {figure.format(figure.target)}",
            figure.verdict(),
            "; ".join(part for part in (figure.broken, figure.note) if part),
        ]
        for figure in figures
    ]
    return table(["figure", "measured", "target", "pass/fail", "note"], rows)
