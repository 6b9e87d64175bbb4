"""The JSON edge of the analysis types: plain records to and from JSON objects.

JSON is untyped by nature; `to_dict` / `from_dict` are the only places in the analysis path
where a `dict[str, Any]` appears, and only to hand a document to `json.dumps` or to read one
back that `to_dict` wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, Self, TypeVar

__all__ = ["FlatRecord", "JsonObject", "record_from_dict", "record_to_dict"]

JsonObject = dict[str, Any]
R = TypeVar("R")


def record_to_dict(record: Any) -> JsonObject:
    """A flat dataclass (scalar fields only) as a JSON object, fields in declaration order."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def record_from_dict(cls: type[R], data: Mapping[str, Any]) -> R:
    """Inverse of `record_to_dict`; a missing key raises KeyError."""
    return cls(**{f.name: data[f.name] for f in fields(cls)})  # type: ignore[arg-type]


class FlatRecord:
    """Base of dataclasses made of JSON scalars: the JSON form is the fields, in order."""

    __slots__ = ()

    def to_dict(self) -> JsonObject:
        """The JSON form."""
        return record_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Inverse of `to_dict`."""
        return record_from_dict(cls, data)
