"""The identity map holds clean objects weakly: loading many rows in batches stays flat."""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

from tests.orm.conftest import User

from athanor import insert

ROWS = 100_000
BATCH = 5_000


def test_loading_100k_rows_in_batches_keeps_memory_flat(Session: Any) -> None:
    s = Session()
    s.execute(insert(User), [{"id": i, "name": f"user{i}"} for i in range(1, ROWS + 1)])
    s.commit()
    seen = 0
    after: list[int] = []
    for n, start in enumerate(range(1, ROWS + 1, BATCH)):
        if n == len(range(1, ROWS + 1, BATCH)) // 2:
            tracemalloc.start()  # measure the second half only: tracing slows allocation
        batch = s.query(User).filter(User.id >= start, User.id < start + BATCH).all()
        seen += len(batch)
        assert batch[0].name == f"user{start}"
        del batch
        assert len(s.identity_map) == 0  # nothing references the objects any more
        if tracemalloc.is_tracing():
            after.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    assert seen == ROWS
    # no growth from batch to batch (the identity map sweeps dead entries as it goes)
    assert after[-1] - after[1] < 200_000, after
    assert max(after) < 3_000_000, after  # well under what 5,000 live objects would take
    s.close()


def test_modified_objects_are_kept_until_flushed(Session: Any) -> None:
    s = Session()
    s.add_all([User(id=i, name="n") for i in range(1, 11)])
    s.commit()
    for u in s.query(User).all():
        u.name = "changed"
    del u
    gc.collect()
    assert len(s.dirty) == 10  # held strongly while they have unflushed changes
    s.commit()
    gc.collect()
    assert len(s.identity_map) == 0
    assert {u.name for u in s.query(User)} == {"changed"}
    s.close()
