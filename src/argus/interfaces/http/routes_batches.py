"""Ingest and status endpoints under /api/v1/batches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from argus.domain.batch import BatchStatus
from argus.domain.errors import InvalidInput
from argus.domain.identity import Caller
from argus.interfaces.http.auth import CallerDep
from argus.interfaces.http.report_response import report_response
from argus.interfaces.http.schemas import BatchCreate, BatchList, BatchRead, CompleteRead, FileRead
from argus.interfaces.http.services import HttpServices, services

# Two routers so the distributed mode can serve them from different processes: the ingestor
# (writes, :8081) and the query service (reads, :8080). The embedded mode serves both.
ingest_router = APIRouter(prefix="/api/v1/batches", tags=["ingest"])
router = APIRouter(prefix="/api/v1/batches", tags=["batches"])
Services = Annotated[HttpServices, Depends(services)]


@ingest_router.post("", status_code=201, response_model=BatchRead)
async def create_batch(
    body: BatchCreate, caller: CallerDep, svc: Services, response: Response
) -> BatchRead:
    """Open a batch (201); the same id and vehicle again returns it unchanged (200)."""
    batch, created = await svc.ingest.create_batch(
        caller, vehicle_id=body.vehicle_id, batch_id=body.batch_id
    )
    if not created:
        response.status_code = 200
    return await _read(svc, caller, batch.batch_id)


@router.get("", response_model=BatchList)
async def list_batches(
    caller: CallerDep,
    svc: Services,
    vehicle_id: str | None = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> BatchList:
    """Batches newest first, filtered by vehicle and status."""
    try:
        wanted = None if status is None else BatchStatus(status)
    except ValueError as exc:
        allowed = ", ".join(s.value for s in BatchStatus)
        raise InvalidInput(f"unknown status {status!r}; one of {allowed}") from exc
    page = await svc.reads.list_batches(
        caller, vehicle_id=vehicle_id, status=wanted, limit=limit, offset=offset
    )
    return BatchList(
        items=[BatchRead.of(o) for o in page.items], total=page.total, limit=limit, offset=offset
    )


@router.get("/{batch_id}", response_model=BatchRead)
async def get_batch(batch_id: str, caller: CallerDep, svc: Services) -> BatchRead:
    """State of one batch with its file counts."""
    return await _read(svc, caller, batch_id)


@ingest_router.put("/{batch_id}/files/{file_name:path}", status_code=201, response_model=FileRead)
async def upload_file(
    batch_id: str,
    file_name: str,
    request: Request,
    caller: CallerDep,
    svc: Services,
    checksum: Annotated[str | None, Header(alias="X-Checksum-SHA256")] = None,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
    replace: bool = False,
) -> FileRead:
    """Stream the raw request body into storage; nothing is kept if anything fails. A name
    already in the batch is 409 unless `If-Match: "<its sha256>"` (412 if it differs) or
    `?replace=true` says to replace it."""
    length_header = request.headers.get("content-length")
    try:
        content_length = None if length_header is None else int(length_header)
    except ValueError as exc:
        raise InvalidInput("Content-Length must be an integer") from exc
    log_file = await svc.ingest.upload_file(
        caller,
        batch_id=batch_id,
        file_name=file_name,
        body=request.stream(),
        content_length=content_length,
        expected_sha256=checksum,
        replace=replace,
        if_match=if_match,
    )
    return FileRead.of(log_file)


@ingest_router.post("/{batch_id}/complete", status_code=202, response_model=CompleteRead)
async def complete_batch(batch_id: str, caller: CallerDep, svc: Services) -> CompleteRead:
    """Close the upload phase and start processing (once, however often it is called)."""
    batch = await svc.ingest.complete(caller, batch_id)
    return CompleteRead(
        batch_id=batch.batch_id, status=batch.status.value, total_files=len(batch.files)
    )


@router.get("/{batch_id}/report")
async def batch_report(
    batch_id: str, request: Request, caller: CallerDep, svc: Services
) -> Response:
    """The report: 200 once the batch is finished, 202 with its status before."""
    return await report_response(svc, caller, batch_id, request)


async def _read(svc: HttpServices, caller: Caller, batch_id: str) -> BatchRead:
    return BatchRead.of(await svc.reads.overview(caller, batch_id))


__all__ = ["ingest_router", "router"]
