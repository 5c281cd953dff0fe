"""The async twins are generated from the ORM's sync source: check what they cover.

If a change in ``orm/`` makes an I/O function impossible to twin (a statement inside a
lambda or nested function), or stops routing through the conventions listed in
docs/internals.md ("asyncio"), this fails with the function's name before any behavioural
test does.
"""

from __future__ import annotations

import inspect

from athanor.ext.asyncio import _twin
from athanor.orm import context, dependency, flush, joined, strategies


def test_the_orm_io_functions_have_generated_twins() -> None:
    for fn in (flush.run_plan, dependency.flush, context.execute, context.select_by_pk,
               context.insert_many_returning, joined.execute_select, strategies.load_on_access,
               strategies.run_lazy_query):
        made = _twin.twin(fn)
        assert inspect.iscoroutinefunction(made), fn.__qualname__
        assert made.__code__.co_filename.endswith("(async twin)")
    assert _twin._broken == {}


def test_pure_functions_get_no_twin() -> None:
    import pytest

    from athanor import exc

    with pytest.raises(exc.InvalidRequestError, match="runs no statement"):
        _twin.twin(context.entity_layout)
