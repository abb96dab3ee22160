"""The figures of a `health` run: each swept part's data, fit and estimate."""

from synqc_backend.analysis.fitting import FitQuality, FitResult
from synqc_backend.figures.plot_data import Figure
from synqc_backend.measurements.sweep_data import fit_figure


def health_figures(
    t1: FitResult, ramsey: FitResult, echo: FitResult, rb_fit: FitResult, suffix: str = ""
) -> tuple[Figure, ...]:
    """Each swept part's figure, named by the part and `suffix` (`t1_q3`, or `t1` alone)."""

    def us(fit: FitResult, symbol: str) -> str:
        return f"{symbol} = {fit.values['tau'] * 1e6:.1f} ± {fit.stderr['tau'] * 1e6:.1f} µs" + (
            "" if fit.quality is FitQuality.GOOD else " (bad fit)"
        )

    p = rb_fit.values["p"]
    return (
        fit_figure(
            f"t1{suffix}",
            f"T1 relaxation{_on(suffix)}",
            t1,
            us(t1, "T1"),
            x_label="delay (µs)",
            y_label="P(1)",
            x_scale=1e6,
        ),
        fit_figure(
            f"ramsey{suffix}",
            f"Ramsey (T2*){_on(suffix)}",
            ramsey,
            us(ramsey, "T2*"),
            x_label="delay (µs)",
            y_label="P(1)",
            x_scale=1e6,
        ),
        fit_figure(
            f"echo{suffix}",
            f"Hahn echo (T2){_on(suffix)}",
            echo,
            us(echo, "T2"),
            x_label="delay (µs)",
            y_label="P(1)",
            x_scale=1e6,
        ),
        fit_figure(
            f"rb{suffix}",
            f"Randomized benchmarking{_on(suffix)}",
            rb_fit,
            f"EPC = {(1 - p) / 2:.2e} ± {rb_fit.stderr['p'] / 2:.1e}",
            x_label="sequence length (Cliffords)",
            y_label="survival P(0)",
            log_x=True,
        ),
    )


def _on(suffix: str) -> str:
    """`_q3` as a title's tail: ", qubit 3"."""
    return f", qubit {suffix.removeprefix('_q')}" if suffix else ""
