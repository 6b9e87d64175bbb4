"""The model's answer: its JSON schema (sent as `response_format`) and its validation."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from argus.domain.analysis import SEVERITIES
from argus.domain.analysis.evidence_chain import MAX_CHAIN_STEPS, MAX_STEP_EVIDENCE
from argus.domain.errors import InvalidInput

__all__ = ["ANSWER_SCHEMA", "Answer", "StepAnswer", "parse_answer"]


class StepAnswer(BaseModel):
    """One step of the propagation chain, as the model states it."""

    model_config = ConfigDict(extra="ignore")

    component: str = Field(min_length=1, max_length=64)
    event: str = Field(min_length=1, max_length=400)
    start_s: float | None = None
    end_s: float | None = None
    evidence_ids: list[str] = Field(default_factory=list, max_length=MAX_STEP_EVIDENCE)


class Answer(BaseModel):
    """The diagnosis the model must return, every claim citing evidence ids."""

    model_config = ConfigDict(extra="ignore")

    component: str = Field(min_length=1, max_length=64)
    severity: str = Field(json_schema_extra={"enum": list(SEVERITIES)})
    root_cause: str = Field(min_length=1, max_length=1000)
    confidence: float = Field(ge=0.0, le=1.0)
    chain: list[StepAnswer] = Field(default_factory=list, max_length=MAX_CHAIN_STEPS)
    evidence_ids: list[str] = Field(default_factory=list, max_length=20)
    actions: list[str] = Field(default_factory=list, max_length=6)

    @field_validator("severity")
    @classmethod
    def _known_severity(cls, value: str) -> str:
        if value not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}")
        return value

    def cited(self) -> list[str]:
        """Every evidence id the answer cites, first mention first."""
        ids = [*self.evidence_ids, *(i for step in self.chain for i in step.evidence_ids)]
        return list(dict.fromkeys(ids))


ANSWER_SCHEMA: dict[str, Any] = Answer.model_json_schema()


def parse_answer(content: str) -> Answer:
    """The validated answer; InvalidInput naming what is wrong with it."""
    try:
        return Answer.model_validate_json(content)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise InvalidInput(f"{where}: {first['msg']}") from exc
