"""The `health_status_v1` rule: ok / warn / fail from fits, EPC, coherence and readout."""

from dataclasses import dataclass

from synqc_backend.analysis.fitting import FitQuality, FitResult
from synqc_backend.models import KpiStatus
from synqc_backend.presets.qubit_reference import Reference

FAIL_EPC = 1e-2
WARN_EPC = 2e-3
FAIL_ASSIGNMENT = 0.8
WARN_ASSIGNMENT = 0.95
COHERENCE_DROP = 0.30


@dataclass(frozen=True)
class HealthFindings:
    fits: tuple[FitResult, ...]
    epc: float
    t1_s: float
    t2_s: float
    assignment_fidelity: float
    reference: Reference


def health_status(findings: HealthFindings) -> tuple[KpiStatus, tuple[str, ...]]:
    """The status and the reasons behind it (empty when ok)."""
    failures = [
        f"{fit.model.name} fit is bad: {fit.quality_reason}"
        for fit in findings.fits
        if fit.quality is not FitQuality.GOOD
    ]
    if findings.epc > FAIL_EPC:
        failures.append(f"EPC {findings.epc:.2e} > {FAIL_EPC:g}")
    if findings.assignment_fidelity < FAIL_ASSIGNMENT:
        failures.append(
            f"readout assignment {findings.assignment_fidelity:.3f} < {FAIL_ASSIGNMENT}"
        )
    if failures:
        return KpiStatus.FAIL, tuple(failures)
    warnings = []
    if findings.epc > WARN_EPC:
        warnings.append(f"EPC {findings.epc:.2e} > {WARN_EPC:g}")
    reference = findings.reference
    if reference.published:
        for name, value, ref in (
            ("T1", findings.t1_s, reference.t1_s),
            ("T2", findings.t2_s, reference.t2_s),
        ):
            if value < (1 - COHERENCE_DROP) * ref:
                warnings.append(
                    f"{name} {value * 1e6:.1f} µs is over 30 % below {ref * 1e6:.1f} µs"
                )
    if findings.assignment_fidelity < WARN_ASSIGNMENT:
        warnings.append(
            f"readout assignment {findings.assignment_fidelity:.3f} < {WARN_ASSIGNMENT}"
        )
    return (KpiStatus.WARN if warnings else KpiStatus.OK), tuple(warnings)
