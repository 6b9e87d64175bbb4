"""One base error with coded subclasses; only interfaces/http maps them to HTTP status."""

from __future__ import annotations


class ArgusError(Exception):
    """Base of every error Argus raises on purpose; `code` is stable and machine-readable."""

    code = "argus_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ArgusError):
    code = "not_found"


class Conflict(ArgusError):
    code = "conflict"


class InvalidInput(ArgusError):
    code = "invalid_input"


class PayloadTooLarge(InvalidInput):
    code = "payload_too_large"


class IntegrityError(ArgusError):
    """The data does not match what the client declared (e.g. a checksum)."""

    code = "integrity_error"


class IllegalTransition(Conflict):
    """A state change the batch state machine does not allow."""

    code = "illegal_transition"


class Unavailable(ArgusError):
    """A backing service could not be reached; the operation may be retried."""

    code = "unavailable"


class StorageUnavailable(Unavailable):
    """The blob store could not take the bytes (disk full, read-only, I/O error); nothing was
    kept, and a retry may succeed once an operator freed space."""

    code = "storage_unavailable"


class Unauthenticated(ArgusError):
    """No credentials, or credentials that are malformed, unknown, expired or revoked."""

    code = "unauthenticated"


class Forbidden(ArgusError):
    """The caller is known but may not do this (its role, or another vehicle's batch)."""

    code = "forbidden"


class PreconditionFailed(ArgusError):
    """A condition the client attached (e.g. `If-Match`) does not hold."""

    code = "precondition_failed"


class TooManyRequests(ArgusError):
    """A quota of the caller is used up; `retry_after_s` says when trying again helps."""

    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class FileExists(Conflict):
    """A file of this name is already in the batch and the client did not ask to replace it."""

    code = "file_exists"


class TooManyOpenBatches(Conflict):
    """The vehicle has as many pending batches as it may have; it must complete one first."""

    code = "too_many_open_batches"


class TooManyFiles(PayloadTooLarge):
    code = "too_many_files"


class BatchTooLarge(PayloadTooLarge):
    code = "batch_too_large"
