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


def nice_max(value: int) -> int:
    if value <= 4:
        return 4
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = math.ceil(value / (step * magnitude)) * step * magnitude
        if top >= value:
            return int(top)
    return value  # pragma: no cover


def bar_chart(*, id: str, title: str, categories: list[str], series: list[Series]) -> Chart:
    """Grouped bars: one group per category (a month), one bar per series."""
    chart = Chart(id=id, title=title, categories=categories, series=series)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    top = nice_max(max([v for s in series for v in s.values] + [0]))
    chart.baseline_y = TOP + plot_height
    for i in range(5):
        value = top * i / 4
        chart.ticks.append(Label(LEFT - 6, round(chart.baseline_y - plot_height * i / 4, 1), f"{value:g}"))
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
