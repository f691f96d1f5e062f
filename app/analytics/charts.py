"""The analytics charts as server-rendered SVG drawn by pygal: readable without JavaScript (no script is linked),
each beside a table of the same figures. The figures are exact Decimals in the tables and exports; a chart only
needs a drawing position, so its values are floats here and nowhere else. Labels are escaped by the XML writer."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pygal
import pygal.graph.graph
from pygal.etree import etree
from pygal.style import Style

from app.analytics.competitiveness import Month
from app.analytics.savings import BASELINE_LABELS, Baseline
from app.analytics.services import Group
from app.analytics.spread import LineOffers

_STYLE = Style(
    background="white", plot_background="white", font_family="system-ui, sans-serif",
    colors=("#2f6fb0", "#e07b39", "#3a9a5b", "#8e5bb5", "#c0392b"), label_font_size=12, major_label_font_size=12,
    legend_font_size=12, title_font_size=15,
)
SERIES = (Baseline.TARGET, Baseline.LAST_CONTRACT, Baseline.MEDIAN_FIRST_OFFER, Baseline.FIRST_OFFER)


def _config(title: str, **extra: object) -> dict[str, object]:
    return {
        "title": title, "style": _STYLE, "js": [], "disable_xml_declaration": True, "explicit_size": False,
        "width": 860, "height": 380, "legend_at_bottom": True, "legend_at_bottom_columns": 2, "print_values": False,
        "x_label_rotation": 30, "truncate_label": 40, "no_data_text": "Nothing awarded in this period", **extra,
    }


def _svg(chart: pygal.graph.graph.Graph) -> str:
    """The chart as inline SVG without pygal's script: its only use is interactive tooltips, which these static
    charts do not have, and it would copy every label (vendor names) into a script element."""
    tree = chart.render_tree()
    for parent in tree.iter():
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.endswith("script"):
                parent.remove(child)
    return etree.tostring(tree, encoding="unicode")


def _drawn(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _amounts(currency: str) -> dict[str, object]:
    return {"value_formatter": lambda v: f"{v:,.0f} {currency}"}


def savings_by_month(groups: Sequence[Group], currency: str) -> str:
    rows = [g for g in groups if g.figures.currency == currency]
    chart = pygal.Bar(**_config(f"Savings by month ({currency})", **_amounts(currency)))
    chart.x_labels = [g.label for g in rows]
    for baseline in SERIES:
        chart.add(BASELINE_LABELS[baseline].capitalize(),
                  [_drawn(g.figures.against(baseline).saving) if g.figures.against(baseline).lines else None
                   for g in rows])
    return _svg(chart)


def savings_by_category(groups: Sequence[Group], currency: str) -> str:
    return savings_by_group(groups, currency, "Savings by category")


def savings_by_cost_center(groups: Sequence[Group], currency: str) -> str:
    return savings_by_group(groups, currency, "Savings by cost center")


def savings_by_group(groups: Sequence[Group], currency: str, title: str) -> str:
    """One bar per group (a category, a cost center) and baseline, in `currency`'s groups only."""
    rows = [g for g in groups if g.figures.currency == currency]
    chart = pygal.HorizontalBar(**_config(f"{title} ({currency})", **_amounts(currency), x_label_rotation=0))
    chart.x_labels = [g.label for g in rows]
    for baseline in (Baseline.TARGET, Baseline.MEDIAN_FIRST_OFFER, Baseline.FIRST_OFFER):
        chart.add(BASELINE_LABELS[baseline].capitalize(),
                  [_drawn(g.figures.against(baseline).saving) if g.figures.against(baseline).lines else None
                   for g in rows])
    return _svg(chart)


def competitiveness(months: Sequence[Month], currency: str, vendor: str) -> str:
    rows = [m for m in months if m.currency == currency]
    chart = pygal.Line(**_config(f"{vendor}: competitiveness over time ({currency} RFQs)",
                                 value_formatter=lambda v: f"{v:.1f} %"))
    chart.x_labels = [m.month for m in rows]
    chart.add("Above the best offer (%)", [_drawn(m.premium_percent) for m in rows])
    chart.add("Lines where it was the best offer (%)", [_drawn(m.best_percent) for m in rows])
    return _svg(chart)


def offer_spread(lines: Sequence[LineOffers], currency: str) -> str:
    chart = pygal.Box(**_config(f"Offer spread per line (unit prices, {currency})", box_mode="extremes",
                                value_formatter=lambda v: f"{v:,.4f} {currency}", show_legend=False))
    for line in lines:
        if line.prices:
            chart.add(f"{line.position}. {line.description}"[:40], [float(p) for p in line.prices])
    return _svg(chart)


def volume_by_month(groups: Sequence[Group], currency: str) -> str:
    rows = [g for g in groups if g.figures.currency == currency]
    chart = pygal.Bar(**_config(f"Awarded value and savings by month ({currency})", **_amounts(currency)))
    chart.x_labels = [g.label for g in rows]
    chart.add("Awarded value", [_drawn(g.figures.awarded) for g in rows])
    chart.add("Saved against the median first offer",
              [_drawn(g.figures.against(Baseline.MEDIAN_FIRST_OFFER).saving) for g in rows])
    return _svg(chart)
