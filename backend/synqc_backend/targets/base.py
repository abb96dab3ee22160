"""The target port: what every execution backend promises, in plain types."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from qiskit import QuantumCircuit

from synqc_backend.execution import Capabilities, ExecutionOptions, ExecutionResult
from synqc_backend.models import HardwareTarget, TargetCapabilities, TargetKind, TargetStatus


@dataclass(frozen=True)
class TargetDescriptor:
    """Who a target is: identity shown in `/hardware/targets`."""

    id: str
    name: str
    kind: TargetKind
    vendor: str
    description: str


@dataclass(frozen=True)
class Readiness:
    status: TargetStatus
    detail: str


class Target(Protocol):
    """An execution backend. It knows circuits, shots and seeds, never presets."""

    @property
    def descriptor(self) -> TargetDescriptor: ...

    def readiness(self) -> Readiness: ...

    def capabilities(self) -> Capabilities: ...

    def execute(
        self, circuits: Sequence[QuantumCircuit], options: ExecutionOptions
    ) -> ExecutionResult: ...


def hardware_target(target: Target) -> HardwareTarget:
    """The contract's view of a target: identity, readiness and capabilities."""
    descriptor, readiness, capabilities = (
        target.descriptor,
        target.readiness(),
        target.capabilities(),
    )
    return HardwareTarget(
        id=descriptor.id,
        name=descriptor.name,
        kind=descriptor.kind,
        vendor=descriptor.vendor,
        description=descriptor.description,
        status=readiness.status,
        status_detail=readiness.detail,
        capabilities=TargetCapabilities(
            max_shots=capabilities.max_shots,
            queue_behavior=capabilities.queue_behavior,
            supported_gates=list(capabilities.basis_gates),
            notes=capabilities.notes,
        ),
    )
