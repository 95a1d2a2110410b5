"""SVG charts: shapes per value, escaped labels, and an explicit empty state."""

from __future__ import annotations

import re

from functions.admin.svg_charts import bar_chart, horizontal_bars, line_chart


def test_bar_chart_draws_one_bar_per_point_with_escaped_labels():
    svg = str(bar_chart([("Mon", 3), ("<Tue>", 5)], title="Calls & more"))
    assert svg.startswith("<svg")
    assert svg.count("<rect") == 2
    assert "&lt;Tue&gt;" in svg
    assert "<Tue>" not in svg
    assert "Calls &amp; more" in svg


def test_taller_value_gets_taller_bar():
    svg = str(bar_chart([("a", 1), ("b", 4)], title="t"))
    heights = [float(value) for value in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 2
    assert heights[1] > heights[0] * 3


def test_line_chart_has_a_line_and_legend_per_series():
    svg = str(line_chart({"p50": [("05-01", 700), ("05-02", 800)], "p95": [("05-01", 1200)]}, title="lat", unit=" ms"))
    assert svg.count("<polyline") == 2
    assert ">p50<" in svg
    assert ">p95<" in svg


def test_empty_data_says_so():
    assert "No data in this period" in str(bar_chart([], title="x"))
    assert "No data in this period" in str(horizontal_bars([], title="x"))
    assert "No data in this period" in str(line_chart({"p50": []}, title="x"))
