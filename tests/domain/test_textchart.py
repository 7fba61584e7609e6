"""The terminal bar chart, drawn by hand for small cases."""

from __future__ import annotations

from tests.analysis_fixtures import protected, wave_2014
from tui.domain.analysis import (
    ChartData,
    ChartSeries,
    describe,
    group_chart,
    plain,
    render_bar_chart,
)


def chart(*series: ChartSeries) -> ChartData:
    return ChartData(title="T", labels=("A1", "A2", "B1"), codes=("JPD A1", "JPD A2", "JPD B1"),
                     texts=("one", "two", "three"), negative=(False, True, False), series=series)


def test_one_series_in_quarters():
    # Height 4: each row is 25 points. 100 fills four rows, 50 two, None marks the base.
    lines = render_bar_chart(chart(ChartSeries("S (2)", (100.0, 50.0, None), 2)), width=40, height=4)
    assert plain(lines) == "\n".join([
        "T",
        "100┤████",
        " 75┤████",
        " 50┤████ ████",
        " 25┤████ ████ ····",
        "  0└───────────────",
        "    A1   A2*  B1",
        "    ■ S (2)  * negatively worded",  # 40 columns: the legend wraps between items
        "    · no figure (suppressed or no answers)",
    ])


def test_partial_rows_use_eighth_blocks_and_zero_draws_nothing():
    # 10% of a 25-point row is 0.4 of a cell -> 3 eighths "▃"; 0% leaves the column empty.
    lines = render_bar_chart(chart(ChartSeries("S", (10.0, 0.0, 30.0), 2)), width=40, height=4)
    assert plain(lines).splitlines()[4] == " 25┤▃▃▃▃      ████"
    assert plain(lines).splitlines()[3] == " 50┤          ▂▂▂▂"  # 30%: 5 of 25 points -> 1.6 eighths -> 2


def test_grouped_bars_sit_side_by_side():
    lines = render_bar_chart(chart(ChartSeries("HD", (100.0, 0.0, 0.0), 3), ChartSeries("T", (0.0, 100.0, 0.0), 3)),
                             width=20, height=2)
    # 16 columns for 3 slots -> (16 // 3 - 1) // 2 = 2 cells a bar, slot of 5.
    assert plain(lines).splitlines()[1:3] == ["100┤██     ██", " 50┤██     ██"]
    legend = lines[-2]  # 20 columns: the note goes to a line of its own
    assert legend.plain == "    ■ HD  ■ T" and lines[-1].plain == "    * negatively worded"
    assert {span.style for span in legend.spans if legend.plain[span.start:span.end] == "■ "} == {
        "#4e79a7", "#f28e2b"}


def test_focus_reverses_the_label():
    lines = render_bar_chart(chart(ChartSeries("S", (1.0, 2.0, 3.0), 1)), width=40, height=4, focus=2)
    labels = lines[-2]
    focused = [labels.plain[s.start:s.end] for s in labels.spans if "reverse" in str(s.style)]
    assert focused == ["B1  "]


def test_describe_gives_the_statement_and_each_figure():
    text = describe(chart(ChartSeries("HD (3)", (62.5, None, 1.0), 3)), 0).plain
    assert text.startswith("JPD A1  one\n") and "HD (3): 63%" in text
    assert "—" in describe(chart(ChartSeries("HD (3)", (62.5, None, 1.0), 3)), 1).plain


def test_suppressed_group_draws_no_bar():
    data = wave_2014()
    table = protected(data)
    text = plain(render_bar_chart(group_chart(table, "JPD", ["HD"], grouping="role_group"), height=4))
    assert "█" not in text and "HD (n supp.) suppressed" in text


def test_only_the_axis_is_dim():
    line = render_bar_chart(chart(ChartSeries("S", (100.0, 50.0, 0.0), 2)), width=40, height=4)[1]
    assert line.style == ""
    assert [(line.plain[s.start:s.end], str(s.style)) for s in line.spans][:2] == [("100┤", "dim"), ("████", "#4e79a7")]


def test_legend_and_figures_wrap_between_groups_never_inside_one():
    from tui.domain.analysis.textchart import legend_lines

    series = tuple(ChartSeries(f"School {letter} · HD ({n})", (50.0, 50.0, 50.0), n)
                   for letter, n in zip("ABCDE", (12, 9, 10, 7, 11), strict=True))
    data = chart(*series)
    lines = [line.plain for line in legend_lines(data, width=50)]
    assert all(len(line) <= 50 for line in lines) and len(lines) > 1
    for s in series:  # each label whole on one line
        assert any(f"■ {s.name}" in line for line in lines), s.name
    caption = describe(data, 0, width=50).plain.splitlines()[1:]
    assert all(len(line) <= 50 for line in caption)
    assert all(any(f"■ {s.name}: 50%" in line for line in caption) for s in series)
