"""The served OpenAPI schema: FastAPI's, plus the rules this server's settings decide.

- Auth: the key's security schemes stay only when a key is configured; without one nothing
  is checked, so nothing is declared.
- A run request (`POST /runs`, `POST /experiments/run`) is one variant per preset,
  discriminated by `preset`, carrying that preset's shot budgets: its minimum, the per-run
  maximum, the largest budget each target's per-circuit capacity admits, and whether an
  omitted budget (the preset's default) is allowed at all.
- `hardware_target` and `compare_targets` are an enum of the targets this server accepts, and
  `qubits` stay below the named target's qubit count; a monitor's target and qubits likewise.
- `parallel: false` on k qubits needs k times the preset's minimum where the preset splits its
  budget between them.

The numbers come from `runs.request_rules`, read from the same registries and guardrails that
enforce them at submit; nothing here repeats one.
"""

from typing import Any

from synqc_backend.models import MonitorCreate, RunExperimentRequest
from synqc_backend.models.requests import MAX_SEQUENTIAL_QUBITS
from synqc_backend.runs.request_rules import PresetRule, RunRequestRules, TargetRule

type Schema = dict[str, Any]

REQUEST = RunExperimentRequest.__name__
MONITOR = MonitorCreate.__name__
SCHEMAS = "#/components/schemas/"
DEFAULT_TARGET = RunExperimentRequest.model_fields["hardware_target"].default


def served_schema(schema: Schema, rules: RunRequestRules, *, require_api_key: bool) -> Schema:
    """`schema` (FastAPI's) with these rules stated; changed in place and returned."""
    if not require_api_key:
        _drop_security(schema)
    schemas = schema["components"]["schemas"]
    _state_targets(schemas[REQUEST], rules)
    _state_monitor_targets(schemas[MONITOR], rules)
    variants = {preset.name: _variant_name(preset.name) for preset in rules.presets}
    for preset in rules.presets:
        schemas[variants[preset.name]] = _variant(preset, rules)
    _submit_as_variants(schema, variants)
    return schema


def _drop_security(schema: Schema) -> None:
    schema["components"].pop("securitySchemes", None)
    for operations in schema["paths"].values():
        for operation in operations.values():
            operation.pop("security", None)


def _state_targets(request: Schema, rules: RunRequestRules) -> None:
    ids = [target.target_id for target in rules.targets]
    properties = request["properties"]
    properties["hardware_target"]["enum"] = ids
    if DEFAULT_TARGET not in ids:
        # Omitting the target names one this server refuses: the field must be given.
        properties["hardware_target"].pop("default", None)
        request["required"] = [*request.get("required", []), "hardware_target"]
    _branch(properties["compare_targets"], "array")["items"]["enum"] = ids
    budget = properties["shot_budget"]
    _branch(budget, "integer")["maximum"] = rules.max_shots_per_experiment
    budget["description"] = f"{budget['description']} {_budgets_here(rules)}"
    # A new list: the model's own `allOf` must not collect this server's rules.
    request["allOf"] = [*request.get("allOf", []), *map(_qubits_of, rules.targets)]


def _state_monitor_targets(monitor: Schema, rules: RunRequestRules) -> None:
    """A monitor names a target its runs may run on, and that target's qubits."""
    ids = [target.target_id for target in rules.targets]
    monitor["properties"]["hardware_target"]["enum"] = ids
    if DEFAULT_TARGET not in ids:
        monitor["properties"]["hardware_target"].pop("default", None)
        monitor["required"] = [*monitor.get("required", []), "hardware_target"]
    monitor["allOf"] = [*monitor.get("allOf", []), *map(_qubits_of, rules.targets)]


def _qubits_of(target: TargetRule) -> Schema:
    """`qubits` on this target index its qubits only."""
    return {
        "if": _names(target.target_id),
        "then": {"properties": {"qubits": {"items": {"maximum": target.num_qubits - 1}}}},
    }


def _variant(preset: PresetRule, rules: RunRequestRules) -> Schema:
    """The request for one preset: its minimum budget, the per-run maximum, and per target
    the largest budget its capacity admits where that is lower."""
    most = rules.max_shots_per_experiment
    budget: Schema = {"type": "integer", "minimum": preset.min_shot_budget, "maximum": most}
    required = ["preset"]
    if preset.default_shot_budget <= most:
        budget = {"anyOf": [budget, {"type": "null"}]}
    else:
        required.append("shot_budget")
    overlay = {
        "properties": {"preset": {"const": preset.name}, "shot_budget": budget},
        "required": required,
    }
    per_target = [
        _budget_on(target_id, largest, preset.default_shot_budget)
        for target_id, largest in preset.max_shot_budget.items()
        if largest < most
    ]
    shares = _shares(preset.min_shot_budget) if preset.splits_per_qubit else []
    return {
        "title": _variant_name(preset.name),
        "description": _describe(preset, most),
        "allOf": [{"$ref": SCHEMAS + REQUEST}, overlay, *per_target, *shares],
    }


def _shares(minimum: int) -> list[Schema]:
    """`parallel: false` on k qubits: each gets a k-th of the budget, at least `minimum`."""
    return [
        {
            "if": {
                "properties": {
                    "parallel": {"const": False},
                    "qubits": {"type": "array", "minItems": count},
                },
                "required": ["parallel", "qubits"],
            },
            "then": {"properties": {"shot_budget": {"minimum": count * minimum}}},
        }
        for count in range(2, MAX_SEQUENTIAL_QUBITS + 1)
    ]


def _budget_on(target_id: str, largest: int, default: int) -> Schema:
    then: Schema = {"properties": {"shot_budget": {"maximum": largest}}}
    if default > largest:
        # The default does not fit this target: a budget must be given.
        then = {
            "properties": {"shot_budget": {"type": "integer", "maximum": largest}},
            "required": ["shot_budget"],
        }
    return {"if": _names(target_id), "then": then}


def _names(target_id: str) -> Schema:
    """The request names this target (an omitted `hardware_target` names the default)."""
    condition: Schema = {"properties": {"hardware_target": {"const": target_id}}}
    if target_id != DEFAULT_TARGET:
        condition["required"] = ["hardware_target"]
    return condition


def _submit_as_variants(schema: Schema, variants: dict[str, str]) -> None:
    """Every request body of the plain request becomes one of the preset variants."""
    body = {
        "oneOf": [{"$ref": SCHEMAS + name} for name in variants.values()],
        "discriminator": {
            "propertyName": "preset",
            "mapping": {preset: SCHEMAS + name for preset, name in variants.items()},
        },
    }
    for operations in schema["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            json_body = content.get("application/json", {})
            if json_body.get("schema") == {"$ref": SCHEMAS + REQUEST}:
                json_body["schema"] = body


def _describe(preset: PresetRule, most: int) -> str:
    default = preset.default_shot_budget
    omitted = (
        f"omitted or null, it is {default:,}"
        if default <= most
        else f"it must be given (the default, {default:,}, is above the per-run maximum)"
    )
    return (
        f"A {preset.name} run: shot_budget from {preset.min_shot_budget:,} to {most:,}, lower "
        f"on a target whose per-circuit max_shots admits less; {omitted}."
    )


def _budgets_here(rules: RunRequestRules) -> str:
    presets = rules.presets
    minimums = ", ".join(f"{p.name} {p.min_shot_budget:,}" for p in presets)
    defaults = ", ".join(f"{p.name} {p.default_shot_budget:,}" for p in presets)
    return (
        f"On this server: at most {rules.max_shots_per_experiment:,}; the minimum per preset: "
        f"{minimums}; the default per preset: {defaults}."
    )


def _variant_name(preset: str) -> str:
    return REQUEST + "".join(part.title() for part in preset.split("_"))


def _branch(schema: Schema, json_type: str) -> Schema:
    """The branch of `type` `json_type` of a nullable field (`anyOf: [..., null]`)."""
    branches: list[Schema] = schema.get("anyOf", [schema])
    return next(branch for branch in branches if branch.get("type") == json_type)
