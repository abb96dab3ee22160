"""What a figure shows, as plain data: presets fill these, `figures.py` draws them."""

from dataclasses import dataclass


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
