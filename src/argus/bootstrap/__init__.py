"""Composition root: the one place that picks adapters and wires them to use cases.

`connect` connects a process (bus and blob store for every role, PostgreSQL and Redis for the
roles that need them), `wiring` builds the use cases over the connected adapters, `diagnosis`
the diagnoser, incident memory and feedback. Callers use `argus.bootstrap.<name>`.
"""

from argus.bootstrap.connect import (
    Adapters,
    Messaging,
    blob_store,
    connect,
    connect_messaging,
    delivery_policy,
    event_bus,
    redis_client,
)
from argus.bootstrap.diagnosis import diagnose_handler, embedder, feedback_service, incident_memory
from argus.bootstrap.identity import (
    audit_log,
    audit_queries,
    authenticator,
    guarded_feedback,
    guarded_ingest,
    guarded_reads,
    identity_admin,
)
from argus.bootstrap.servers import embedded_stack, server_urls
from argus.bootstrap.wiring import (
    default_parser,
    gather_handler,
    ingest_service,
    janitor,
    orchestrator,
    outbox_relay,
    parse_file_handler,
    progress_feed,
    progress_projector,
    report_memory,
    report_query,
)

__all__ = [
    "Adapters",
    "Messaging",
    "audit_log",
    "audit_queries",
    "authenticator",
    "blob_store",
    "connect",
    "connect_messaging",
    "default_parser",
    "delivery_policy",
    "diagnose_handler",
    "embedded_stack",
    "embedder",
    "event_bus",
    "feedback_service",
    "gather_handler",
    "guarded_feedback",
    "guarded_ingest",
    "guarded_reads",
    "identity_admin",
    "incident_memory",
    "ingest_service",
    "janitor",
    "orchestrator",
    "outbox_relay",
    "parse_file_handler",
    "progress_feed",
    "progress_projector",
    "redis_client",
    "report_memory",
    "report_query",
    "server_urls",
]
