"""What a figure shows, as plain data: presets fill these, `svg.py` draws them.

A run stores its figures as this data (JSON) and they are drawn when first asked for.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Series:
    """Points with optional error bars; `label` goes into the legend."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    label: str
    y_err: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Figure:
    """One plot: measured series with error bars and model curves, served as `<name>.svg`.

    - `x_scale` multiplies x values for display (e.g. 1e6 to show seconds as µs).
    """

    name: str
    title: str
    x_label: str
    y_label: str
    data: tuple[Series, ...]
    curves: tuple[Series, ...] = ()
    x_scale: float = 1.0
    log_x: bool = False


def figure_from_json(data: dict[str, Any]) -> Figure:
    """The `Figure` that `dataclasses.asdict` turned into `data` (lists back into tuples)."""

    def series(items: list[dict[str, Any]]) -> tuple[Series, ...]:
        return tuple(
            Series(
                x=tuple(item["x"]),
                y=tuple(item["y"]),
                label=item["label"],
                y_err=None if item.get("y_err") is None else tuple(item["y_err"]),
            )
            for item in items
        )

    return Figure(
        name=data["name"],
        title=data["title"],
        x_label=data["x_label"],
        y_label=data["y_label"],
        data=series(data["data"]),
        curves=series(data.get("curves", [])),
        x_scale=data.get("x_scale", 1.0),
        log_x=data.get("log_x", False),
    )
