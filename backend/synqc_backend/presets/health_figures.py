"""The figures of a `health` run: each swept part's data, fit and estimate."""

from synqc_backend.analysis.fitting import FitQuality, FitResult
from synqc_backend.figures.plot_data import Figure
from synqc_backend.measurements.sweep_data import fit_figure


def health_figures(
    t1: FitResult, ramsey: FitResult, echo: FitResult, rb_fit: FitResult
) -> tuple[Figure, ...]:
    def us(fit: FitResult, symbol: str) -> str:
        return f"{symbol} = {fit.values['tau'] * 1e6:.1f} ± {fit.stderr['tau'] * 1e6:.1f} µs" + (
            "" if fit.quality is FitQuality.GOOD else " (bad fit)"
        )

    p = rb_fit.values["p"]
    return (
        fit_figure(
            "t1",
            "T1 relaxation",
            t1,
            us(t1, "T1"),
            x_label="delay (µs)",
            y_label="P(1)",
            x_scale=1e6,
        ),
        fit_figure(
            "ramsey",
            "Ramsey (T2*)",
            ramsey,
            us(ramsey, "T2*"),
            x_label="delay (µs)",
            y_label="P(1)",
            x_scale=1e6,
        ),
        fit_figure(
            "echo",
            "Hahn echo (T2)",
            echo,
            us(echo, "T2"),
            x_label="delay (µs)",
            y_label="P(1)",
            x_scale=1e6,
        ),
        fit_figure(
            "rb",
            "Randomized benchmarking",
            rb_fit,
            f"EPC = {(1 - p) / 2:.2e} ± {rb_fit.stderr['p'] / 2:.1e}",
            x_label="sequence length (Cliffords)",
            y_label="survival P(0)",
            log_x=True,
        ),
    )
