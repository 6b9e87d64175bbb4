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


class Unauthenticated(ArgusError):
    """No credentials, or credentials that are malformed, unknown, expired or revoked."""

    code = "unauthenticated"


class Forbidden(ArgusError):
    """The caller is known but may not do this (its role, or another vehicle's batch)."""

    code = "forbidden"
