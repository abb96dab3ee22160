"""Figures render to SVG documents that carry their data and legend."""

from xml.etree import ElementTree

from synqc_backend.figures.plot_data import Figure, Series
from synqc_backend.figures.svg import render_svg


def test_fit_figure_renders_as_svg_with_its_legend() -> None:
    figure = Figure(
        name="t1",
        title="T1",
        x_label="delay (us)",
        y_label="P(1)",
        data=(Series((0.0, 1e-5, 2e-5), (0.95, 0.85, 0.77), "measured", (0.01, 0.01, 0.01)),),
        curves=(Series((0.0, 2e-5), (0.95, 0.77), "T1 = 99.0 ± 2.0 us"),),
        x_scale=1e6,
    )
    svg = render_svg(figure)
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "T1 = 99.0" in svg


def test_log_axis_figure_renders() -> None:
    figure = Figure(
        name="rb",
        title="RB",
        x_label="m",
        y_label="P(0)",
        data=(Series((1.0, 10.0, 100.0), (0.99, 0.98, 0.9), "measured"),),
        log_x=True,
    )
    assert render_svg(figure).lstrip().startswith("<?xml")
