"""Diagnosis: turn a gathered batch into a root-cause hypothesis."""

from argus.application.diagnosis.ports import Diagnoser

__all__ = ["Diagnoser"]
