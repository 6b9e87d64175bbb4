"""Engineers' feedback on a batch's diagnosis: POST /api/v1/batches/{id}/diagnosis/feedback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from argus.interfaces.http.auth import CallerDep
from argus.interfaces.http.schemas import FeedbackCreate, FeedbackRead
from argus.interfaces.http.services import HttpServices, services

router = APIRouter(prefix="/api/v1/batches", tags=["feedback"])
Services = Annotated[HttpServices, Depends(services)]


@router.post("/{batch_id}/diagnosis/feedback", status_code=201, response_model=FeedbackRead)
async def diagnosis_feedback(
    batch_id: str, body: FeedbackCreate, caller: CallerDep, svc: Services, response: Response
) -> FeedbackRead:
    """Confirm or correct the diagnosis: 201 for the first feedback, 200 when it replaces one.

    Engineers of the batch's fleet only."""
    stored, created = await svc.feedback.submit(caller, batch_id, body.to_domain())
    if not created:
        response.status_code = 200
    return FeedbackRead.of(batch_id, stored)


__all__ = ["router"]
