"""The programs of ``programs_more.py`` run on athanor, checked against what SQLAlchemy 2.x
returned on the same backend (``expected_more.py``)."""

from __future__ import annotations

from typing import Any

import pytest

import athanor
import athanor.orm

from . import programs_more
from .expected_more import EXPECTED


@pytest.mark.parametrize("program", programs_more.PROGRAMS, ids=lambda p: p.__name__)
def test_program_matches_sqlalchemy(program: Any, backend: str, backend_url: str) -> None:
    assert program(athanor, athanor.orm, backend_url) == EXPECTED[program.__name__][backend]
