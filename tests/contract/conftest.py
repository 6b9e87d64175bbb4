"""Every port's contract runs against its fake (unit tier) and its real adapter (integration)."""

from __future__ import annotations

from typing import Any

import pytest

FAKE = pytest.param("fake", marks=pytest.mark.unit)
REAL = pytest.param("real", marks=pytest.mark.integration)


def real_adapters(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("adapters")
