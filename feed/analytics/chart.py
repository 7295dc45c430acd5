"""The analytics chart: one metric per day as bars in an SVG drawn on the server (no script, no
library), with its numbers in words for screen readers and a table beside it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from feed.analytics.selectors import Day

# Drawn small and scaled to the card: on a 390 px phone the labels stay readable (about 10 px), on a
# desktop they grow with the chart.
WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 34, 4, 8, 22  # room for the axis labels


@dataclass(frozen=True)
class Metric:
    name: str
    label: str | Promise
    value: Callable[[Day], float | None]
    percent: bool = False

    def text(self, day: Day) -> str:
        value = self.value(day)
        if value is None:
            return "–"
        return f"{round(100 * value)}%" if self.percent else f"{value:,.0f}"


METRICS = {
    metric.name: metric
    for metric in (
        Metric("views", gettext_lazy("Views"), lambda d: d.impressions),
        Metric("watch", gettext_lazy("Watch-through"), lambda d: d.watch_through, percent=True),
        Metric("likes", gettext_lazy("Likes"), lambda d: d.likes),
        Metric("comments", gettext_lazy("Comments"), lambda d: d.comments),
        Metric("remixes", gettext_lazy("Remixes"), lambda d: d.remixes),
        Metric("shares", gettext_lazy("Shares"), lambda d: d.shares),
        Metric("downloads", gettext_lazy("Downloads"), lambda d: d.downloads),
    )
}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str  # "3 Dec: 12", the bar's tooltip


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (y, label) of the horizontal grid lines
    dates: list[tuple[float, str, str]]  # (x, label, text-anchor) under the axis: first, middle, last day
    baseline: float
    left: int = LEFT  # where the plot starts: the tick labels sit left of it


def _nice_top(largest: float) -> float:
    """The axis' top: the largest value rounded up to 1, 2 or 5 times a power of ten."""
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    return float(next(step * power for step in (1, 2, 5, 10) if step * power >= largest))


def _day_label(day: dt.date) -> str:
    return date_format(day, "MONTH_DAY_FORMAT")


def bar_chart(days: list[Day], metric: Metric) -> Chart:
    """Bars for `metric` over `days` (oldest first), scaled to the largest value; a day without a value
    (watch-through with no views) has no bar. Negative net counts (more unlikes than likes) show as 0."""
    values = [metric.value(day) for day in days]
    top = 1.0 if metric.percent else _nice_top(max((v for v in values if v is not None), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(days))
    baseline = TOP + plot_h
    bars = []
    for i, (day, value) in enumerate(zip(days, values, strict=True)):
        if value is None:
            continue
        height = plot_h * max(0.0, min(1.0, value / top))
        bars.append(
            Bar(
                x=round(LEFT + i * step + step * 0.15, 2),
                y=round(baseline - height, 2),
                width=round(step * 0.7, 2),
                height=round(height, 2),
                title=f"{_day_label(day.day)}: {metric.text(day)}",
            )
        )
    ticks = []
    for fraction in (0.0, 0.5, 1.0):
        value = top * fraction
        if metric.percent:
            ticks.append((round(baseline - plot_h * fraction, 2), f"{round(100 * value)}%"))
        elif value == int(value):  # counts are whole: no "0.5" line
            ticks.append((round(baseline - plot_h * fraction, 2), f"{value:,.0f}"))
    # The first date starts at its bar and the last ends at its own, so neither runs off the chart.
    picked = [(0, "start"), (len(days) // 2, "middle"), (len(days) - 1, "end")] if days else []
    dates = [
        (round(LEFT + i * step + (step / 2 if anchor == "middle" else 0 if anchor == "start" else step), 2),
         _day_label(days[i].day), anchor)
        for i, anchor in picked
    ]  # fmt: skip
    return Chart(width=WIDTH, height=HEIGHT, bars=bars, ticks=ticks, dates=dates, baseline=baseline)


def table_rows(days: list[Day]) -> list[tuple[dt.date, list[str]]]:
    """The chart's numbers as a table, newest day first: every metric of each day with something in it."""
    busy = [day for day in reversed(days) if any(metric.value(day) for metric in METRICS.values())]
    return [(day.day, [metric.text(day) for metric in METRICS.values()]) for day in busy]
