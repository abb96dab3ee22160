"""One qubit's history of a quantity as a figure: the measured values with their error bars,
the target's reported value beside them, and the values the drift test flagged."""

from math import isfinite

from synqc_backend.figures.plot_data import Figure, Series
from synqc_backend.models import QubitHistory
from synqc_backend.runs.qubit_drift import DRIFT_K

# Quantity: (title, y label, display scale).
DISPLAY = {
    "t1_s": ("T1", "µs", 1e6),
    "t2_star_s": ("T2*", "µs", 1e6),
    "t2_echo_s": ("T2 echo", "µs", 1e6),
    "epc": ("Error per Clifford", "EPC", 1.0),
    "readout_assignment_fidelity": ("Readout assignment fidelity", "fidelity", 1.0),
}


def history_figure(history: QubitHistory) -> Figure:
    """x: hours since the first point; y: the quantity in display units."""
    title, unit, scale = DISPLAY.get(history.quantity, (history.quantity, "value", 1.0))
    points = [p for p in history.points if p.value is not None and isfinite(p.value)]
    start = points[0].measured_at if points else 0.0

    def hours(at: float) -> float:
        return (at - start) / 3600.0

    measured = Series(
        tuple(hours(p.measured_at) for p in points),
        tuple(float(p.value or 0.0) * scale for p in points),
        "measured ± stderr",
        tuple(float(p.stderr or 0.0) * scale for p in points),
    )
    flagged = [p for p in points if p.drift_z is not None and abs(p.drift_z) > DRIFT_K]
    drift = Series(
        tuple(hours(p.measured_at) for p in flagged),
        tuple(float(p.value or 0.0) * scale for p in flagged),
        f"drift (|z| > {DRIFT_K:g})",
    )
    reported = [p for p in points if p.reported is not None]
    curves = (
        (
            Series(
                tuple(hours(p.measured_at) for p in reported),
                tuple(float(p.reported or 0.0) * scale for p in reported),
                "reported by the target",
            ),
        )
        if reported
        else ()
    )
    return Figure(
        name=f"{history.quantity}_q{history.qubit}_history",
        title=f"{title} of qubit {history.qubit} on {history.hardware_target}",
        x_label="hours since the first point",
        y_label=unit,
        data=(measured, drift) if flagged else (measured,),
        curves=curves,
    )
