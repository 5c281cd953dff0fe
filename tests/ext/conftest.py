"""Extension test helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from athanor.orm import Session


@pytest.fixture
def make_session(engine: Any) -> Iterator[Callable[[Any], Session]]:
    """``make_session(Base)``: create Base's tables and open a Session (closed afterwards)."""
    made: list[Session] = []

    def make(base: Any) -> Session:
        base.metadata.create_all(engine)
        made.append(Session(engine))
        return made[-1]

    yield make
    for s in made:
        s.close()
