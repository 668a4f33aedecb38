"""Server-side SVG bar charts: geometry computed here, markup in `reports/_chart.html`.

No JavaScript, no library, no inline style: colours come from CSS classes (static/reports/reports.css) and
positions from SVG presentation attributes, so the charts work under a strict Content-Security-Policy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 16, 48


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # a class from reports.css, e.g. "bar-1"
    values: list[int]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass
class Chart:
    id: str
    title: str
    categories: list[str]
    series: list[Series]
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    x_labels: list[Label] = field(default_factory=list)
    ticks: list[Label] = field(default_factory=list)
    baseline_y: float = 0
    plot_left: float = LEFT
    plot_right: float = WIDTH - RIGHT

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        """The same numbers as a table, for screen readers and for anyone who prefers figures."""
        return [(category, [s.values[i] for s in self.series]) for i, category in enumerate(self.categories)]


MAX_STEPS = 5  # at most this many gridlines above the baseline


def integer_ticks(value: int) -> list[int]:
    """The axis of a count: whole numbers from 0, a step of 1, 2 or 5 times a power of ten, up to the first
    tick at or above `value`, at most MAX_STEPS steps (issue 18: no "1.5 CNs")."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            steps = max(1, math.ceil(value / step))
            if steps <= MAX_STEPS:
                return [step * n for n in range(steps + 1)]
        magnitude *= 10


def with_data(categories: list[str], series: list[Series]) -> tuple[list[str], list[Series]]:
    """The months from the first with a count to the last (issue 18: "eleven empty months"). A month of
    nothing between two with counts stays: it is a real zero, and dropping it would draw a false trend."""
    filled = [i for i in range(len(categories)) if any(s.values[i] for s in series)]
    if not filled:
        return [], [Series(s.name, s.css, []) for s in series]
    keep = slice(filled[0], filled[-1] + 1)
    return categories[keep], [Series(s.name, s.css, s.values[keep]) for s in series]


def bar_chart(*, id: str, title: str, categories: list[str], series: list[Series]) -> Chart:
    """Grouped bars: one group per category (a month) that has data, or lies between two that have, one bar
    per series; a whole-number axis."""
    categories, series = with_data(categories, series)
    chart = Chart(id=id, title=title, categories=categories, series=series)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    ticks = integer_ticks(max([v for s in series for v in s.values] + [0]))
    top = ticks[-1]
    chart.baseline_y = TOP + plot_height
    for value in ticks:
        y = round(chart.baseline_y - plot_height * value / top, 1)
        chart.ticks.append(Label(LEFT - 6, y, str(value)))
    if not categories:
        return chart
    group_width = plot_width / len(categories)
    bar_width = max(1.0, (group_width * 0.8) / max(1, len(series)))
    every = max(1, math.ceil(len(categories) / 12))  # at most 12 labels on the axis
    for i, category in enumerate(categories):
        group_x = LEFT + i * group_width + group_width * 0.1
        for j, s in enumerate(series):
            value = s.values[i]
            height = plot_height * value / top
            chart.bars.append(
                Bar(
                    x=round(group_x + j * bar_width, 1),
                    y=round(chart.baseline_y - height, 1),
                    width=round(bar_width - 1, 1),
                    height=round(height, 1),
                    css=s.css,
                    title=f"{category}: {value} {s.name.lower()}",
                )
            )
        if i % every == 0:
            chart.x_labels.append(Label(round(LEFT + (i + 0.5) * group_width, 1), chart.baseline_y + 18, category))
    return chart
