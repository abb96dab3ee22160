"""The fits of `health`'s swept parts over all their stages, each with its Cramér–Rao bound
and a verdict on whether the design that was run could resolve what it fitted."""

from collections.abc import Sequence
from dataclasses import dataclass
from math import log

import numpy as np

from synqc_backend.analysis.cramer_rao import crb_stderr
from synqc_backend.analysis.fitting import FitResult, with_bad_quality
from synqc_backend.execution import BatchOutcome
from synqc_backend.measurements import coherence, decay_design, rb, readout
from synqc_backend.measurements.sweep_data import merged_counts
from synqc_backend.presets.base import PresetContext
from synqc_backend.presets.health_design import by_part, ramsey_detuning_hz


@dataclass(frozen=True)
class PartFit:
    """One swept part's fit and what it reports.

    - `value`, `stderr`, `crb_stderr`: the reported quantity (a decay time in s, or the EPC).
    - `decay`: the fitted decay time (s) or RB decay length (Cliffords) a next stage is placed
      at; NaN when the fit is not good enough to place anything by.
    - `parameter_crb`: the Cramér–Rao bound of every fit parameter, by name.
    """

    fit: FitResult
    value: float
    stderr: float
    crb_stderr: float
    decay: float
    parameter_crb: dict[str, float]

    @property
    def relative_stderr(self) -> float:
        """stderr / |value|; infinite when either is missing."""
        if not (np.isfinite(self.value) and np.isfinite(self.stderr)) or self.value == 0:
            return float("inf")
        return abs(self.stderr / self.value)


def part_fits(context: PresetContext, outcomes: Sequence[BatchOutcome]) -> dict[str, PartFit]:
    """The fit of every swept part that has outcomes, over all of its stages (one qubit's:
    several qubits' outcomes go in as `parallel.views_by_qubit`)."""
    parts = by_part(outcomes)
    fits = {}
    if "t1" in parts:
        fits["t1"] = _decay_fit(coherence.analyse_t1(parts["t1"]), parts["t1"])
    if "echo" in parts:
        fits["echo"] = _decay_fit(coherence.analyse_echo(parts["echo"]), parts["echo"])
    if "ramsey" in parts:
        fits["ramsey"] = _ramsey_fit(context, parts["ramsey"])
    if "rb" in parts:
        readout_part = parts.get("readout")
        offset = (
            readout.mixed_state_p0(readout.analyse_readout(readout_part[0]))
            if readout_part
            else None
        )
        fits["rb"] = _rb_fit(parts["rb"], offset)
    return fits


def _decay_fit(fit: FitResult, stages: Sequence[BatchOutcome]) -> PartFit:
    x, _, shots = merged_counts(stages)
    tau = fit.values["tau"]
    fit = _judged(fit, decay_design.unresolved_reason(x, tau))
    bounds = crb_stderr(fit.model, x, shots, fit.values)
    placed = _placeable(tau, fit.stderr["tau"] / tau)
    return PartFit(fit, tau, fit.stderr["tau"], bounds["tau"], placed, bounds)


def _ramsey_fit(context: PresetContext, stages: Sequence[BatchOutcome]) -> PartFit:
    detuning = ramsey_detuning_hz(context)
    fit = coherence.analyse_ramsey(stages, detuning)
    x, _, shots = merged_counts(stages)
    tau = fit.values["tau"]
    fit = _judged(fit, coherence.ramsey_unresolved_reason(x, tau))
    bounds = crb_stderr(fit.model, x, shots, fit.values)
    placed = _placeable(tau, fit.stderr["tau"] / tau)
    return PartFit(fit, tau, fit.stderr["tau"], bounds["tau"], placed, bounds)


def _rb_fit(stages: Sequence[BatchOutcome], offset: tuple[float, float] | None) -> PartFit:
    """RB over every stage; with `offset` (the readout part's B ± stderr) fitted as a prior
    when the free fit agrees with it."""
    free = rb.analyse_rb(stages)
    offset = rb.readout_offset(free, offset)
    fit = rb.analyse_rb(stages, offset) if offset else free
    lengths, _, shots = merged_counts(stages, outcome_bit="0")
    p = fit.values["p"]
    length = -1.0 / log(p) if np.isfinite(p) and 0 < p < 1 else float("nan")
    fit = _judged(fit, decay_design.unresolved_reason(lengths, length))
    # Per-sequence binomial counts: a bound that ignores the spread between random sequences.
    prior = {"offset": offset[1]} if offset else None
    bounds = crb_stderr(fit.model, lengths, shots, fit.values, prior)
    relative = fit.stderr["p"] / (1 - p) if np.isfinite(p) and p < 1 else float("inf")
    placed = _placeable(length, relative)
    return PartFit(fit, (1 - p) / 2, fit.stderr["p"] / 2, bounds["p"] / 2, placed, bounds)


def _judged(fit: FitResult, unresolved: str | None) -> FitResult:
    """The fit, flagged bad when it has values the design could not resolve."""
    finite = all(np.isfinite(v) for v in fit.values.values())
    return with_bad_quality(fit, unresolved) if finite and unresolved else fit


def _placeable(decay: float, relative_stderr: float) -> float:
    """`decay` when the fit pins it down to within its own size, else NaN.

    Why not only good fits: a first stage's fit is often flagged for a stderr above half its
    value, yet it still says where the decay is to within a factor of two or so.
    """
    settled = np.isfinite(decay) and decay > 0 and np.isfinite(relative_stderr)
    return decay if settled and relative_stderr < 1.0 else float("nan")
