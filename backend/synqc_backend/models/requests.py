"""What a client sends: the run request and the engineering-controls profile, with every rule
the server enforces stated in the schema."""

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

from synqc_backend.models.enums import Preset, RunMode


def _without_nul(text: str) -> str:
    # PostgreSQL text cannot hold NUL; refused here, both stores accept the same notes.
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


def whole_as_int(value: object) -> object:
    # JSON Schema counts 2800.0 as an integer: taken as 2800; a float with a fraction is not.
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Free text kept with a run or profile: at most 2,000 characters, no NUL. A plain alias, so
# the schema shows the constraint inline as before. The pattern only states the NUL rule in the
# schema; the validator enforces it with a message that names it.
NO_NUL_PATTERN = r"^[^\x00]*$"
Notes = Annotated[
    str,
    Field(max_length=2_000, json_schema_extra={"pattern": NO_NUL_PATTERN}),
    AfterValidator(_without_nul),
]


# Request numbers and flags are taken as the JSON types the schema names, never coerced from
# strings ("5") or, for flags, from numbers (0): the schema's types are a rule the API keeps.
class ControlProfile(BaseModel):
    """Engineering controls; bounds are the contract's, units are in the names."""

    model_config = ConfigDict(extra="forbid")

    drive_bias: StrictFloat = Field(1.0, ge=0.5, le=1.5)
    probe_window_ns: StrictFloat = Field(120.0, ge=10, le=10_000)
    feedback_gain: StrictFloat = Field(0.35, ge=0, le=3)
    safety_clamp_ns: StrictFloat = Field(600.0, ge=0, le=20_000)
    thermal_guard_enabled: StrictBool = True
    tracer_persistence_ms: StrictFloat = Field(420.0, ge=50, le=5_000)
    notes: Notes | None = None


def _not_nullable(schema: dict[str, Any]) -> None:
    """The schema of an update field: its value's type only, no null branch and no default.

    Absent keeps the stored value and null is refused (`_not_null`), so the schema shows
    neither; the Python type stays optional so that absent can be told apart.
    """
    schema.pop("default", None)
    (value,) = [branch for branch in schema.pop("anyOf") if branch.get("type") != "null"]
    schema.update(value)


class ControlProfileUpdate(BaseModel):
    """A partial `ControlProfile`: only the fields given are changed."""

    model_config = ConfigDict(extra="forbid")

    drive_bias: StrictFloat | None = Field(None, ge=0.5, le=1.5, json_schema_extra=_not_nullable)
    probe_window_ns: StrictFloat | None = Field(
        None, ge=10, le=10_000, json_schema_extra=_not_nullable
    )
    feedback_gain: StrictFloat | None = Field(None, ge=0, le=3, json_schema_extra=_not_nullable)
    safety_clamp_ns: StrictFloat | None = Field(
        None, ge=0, le=20_000, json_schema_extra=_not_nullable
    )
    thermal_guard_enabled: StrictBool | None = Field(None, json_schema_extra=_not_nullable)
    tracer_persistence_ms: StrictFloat | None = Field(
        None, ge=50, le=5_000, json_schema_extra=_not_nullable
    )
    notes: Notes | None = Field(None, description="null clears the notes")

    @field_validator(
        "drive_bias",
        "probe_window_ns",
        "feedback_gain",
        "safety_clamp_ns",
        "thermal_guard_enabled",
        "tracer_persistence_ms",
        mode="before",
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Omitting a field keeps it; only `notes` may be cleared with null.
        if value is None:
            raise ValueError("must not be null; omit the field to keep its value")
        return value


# `target_relative_stderr` needs adaptive runs (`_target_needs_stages`), stated for the schema.
STAGED_STOP_RULE: dict[str, Any] = {
    "if": {"properties": {"adaptive": {"const": False}}, "required": ["adaptive"]},
    "then": {"properties": {"target_relative_stderr": {"type": "null"}}},
}


# A run names at most this many qubits (the largest devices have a few hundred).
MAX_QUBITS = 1024
QubitList = Annotated[
    list[Annotated[StrictInt, Field(ge=0)]],
    Field(min_length=1, max_length=MAX_QUBITS, json_schema_extra={"uniqueItems": True}),
]


# `parallel: false` measures the qubits one after another, splitting the budget: a list of at
# most this many (the schema states it, and the budget each needs, per preset).
MAX_SEQUENTIAL_QUBITS = 16
SEQUENTIAL_RULE: dict[str, Any] = {
    "if": {"properties": {"parallel": {"const": False}}, "required": ["parallel"]},
    "then": {"properties": {"qubits": {"type": "array", "maxItems": MAX_SEQUENTIAL_QUBITS}}},
}


class RunExperimentRequest(BaseModel):
    """A run to submit. The served schema adds this server's rules: the targets it accepts,
    their qubit counts, and a variant per preset with its shot budgets."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"allOf": [STAGED_STOP_RULE, SEQUENTIAL_RULE]}
    )

    preset: Preset
    hardware_target: str = Field(
        "sim_local",
        min_length=1,
        max_length=64,
        description="A target this server runs (GET /hardware/targets): an unknown id is 400 "
        "INVALID_TARGET, one not configured 400 PROVIDER_CREDENTIALS, a remote one while "
        "remote hardware is disabled 403 REMOTE_DISABLED.",
    )
    shot_budget: StrictInt | None = Field(
        None,
        ge=1,
        description="Total shots the run may spend: at least the preset's minimum and at most "
        "SYNQC_MAX_SHOTS_PER_EXPERIMENT (422 otherwise); no circuit of the run may ask for more "
        "than the target's max_shots (400 PROVIDER_CAPACITY); more than the session has left "
        "is 429 BUDGET_EXHAUSTED. Omitted or null: the larger of SYNQC_DEFAULT_SHOT_BUDGET and "
        "the preset's default.",
    )
    notes: Notes | None = None
    mode: RunMode = RunMode.EXPLORE
    control_overrides: ControlProfile | None = None
    compare_targets: list[str] | None = Field(
        None,
        max_length=8,
        description="The targets backend_compare runs on (default: hardware_target and "
        "sim_local); each is checked as hardware_target is.",
    )
    qubits: QubitList | Literal["all"] = Field(
        default_factory=lambda: [0],
        description="Distinct qubits of the target, each below its num_qubits "
        '(GET /hardware/targets); 422 otherwise. "all": every qubit of the target. health '
        "measures every listed qubit in the same circuits (see `parallel`); the other presets "
        "use the first (two or three for hello_quantum_sim and dpd_demo).",
    )
    parallel: StrictBool = Field(
        True,
        description="health on several qubits: true measures them simultaneously, in the same "
        "circuits (each circuit's shots counted once); false measures one qubit after another "
        "within the run (no crosstalk between them, the budget split between the qubits: a "
        f"list of at most {MAX_SEQUENTIAL_QUBITS}, each share at least the preset's minimum).",
    )
    seed: StrictInt | None = Field(None, ge=0, le=2**32 - 1)
    adaptive: StrictBool = Field(
        True,
        description="Measure in stages, placing each swept part's later stage at the estimate "
        "of the earlier ones (health); false runs one stage designed at the target's "
        "reference values.",
    )
    target_relative_stderr: StrictFloat | None = Field(
        None,
        gt=0,
        le=1,
        description="Stop once every fitted quantity (health: T1, T2*, T2 echo, EPC) has a "
        "relative stderr at or below this, or the budget is spent; unspent shots are "
        "refunded. Needs adaptive runs.",
    )

    @field_validator("shot_budget", "qubits", "seed", mode="before")
    @classmethod
    def _whole_numbers(cls, value: object) -> object:
        if isinstance(value, list):
            return [whole_as_int(item) for item in value]
        return whole_as_int(value)

    @model_validator(mode="after")
    def _sequential_takes_a_short_list(self) -> "RunExperimentRequest":
        if not self.parallel and (self.qubits == "all" or len(self.qubits) > MAX_SEQUENTIAL_QUBITS):
            raise ValueError(
                f"parallel: false takes a list of at most {MAX_SEQUENTIAL_QUBITS} qubits "
                "(they run one after another)"
            )
        return self

    @model_validator(mode="after")
    def _target_needs_stages(self) -> "RunExperimentRequest":
        if self.target_relative_stderr is not None and not self.adaptive:
            raise ValueError(
                "target_relative_stderr needs adaptive: true (a one-stage run cannot stop early)"
            )
        return self
