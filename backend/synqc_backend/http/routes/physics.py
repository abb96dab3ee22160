"""The KPI definitions every reported number points to."""

from dataclasses import asdict

from fastapi import APIRouter

from synqc_backend.definitions import DEFINITIONS
from synqc_backend.models import KpiDefinition, KpiDefinitionList

router = APIRouter(tags=["physics"])


@router.get("/physics/definitions")
def list_definitions() -> KpiDefinitionList:
    """Every KPI definition: id, version, formula in words, units."""
    return KpiDefinitionList(definitions=[KpiDefinition(**asdict(d)) for d in DEFINITIONS.values()])
