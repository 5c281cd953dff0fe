"""``select(User).from_statement(text(...))`` and ``query(User).from_statement(...)``.

Design
------
A textual (or any) statement is run as written and its rows become objects of the
statement's single mapped entity by matching result column names to the mapper's column
names once per result shape; the usual :func:`~athanor.orm.loading.instance_loader` then
builds the objects through the identity map, exactly as for ``select(User)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from athanor import exc
from athanor.orm.loading import instance_loader
from athanor.orm.result import ORMResult

if TYPE_CHECKING:
    from athanor.orm.session import Session


def _mapper(entities: tuple[Any, ...]) -> Any:
    from athanor.orm.query import _entity_mapper

    mapper = _entity_mapper(entities[0]) if len(entities) == 1 else None
    if mapper is None:
        raise exc.InvalidRequestError(
            "from_statement() failed: it loads exactly one mapped class. Build it from "
            "select(Model) or session.query(Model)."
        )
    return mapper


def execute(session: Session, stmt: Any, params: Any, options: dict[str, Any]) -> ORMResult:
    """Run ``stmt.element`` and load its rows as the entity of ``stmt._raw_entities``."""
    mapper = _mapper(stmt._raw_entities)
    session._autoflush()
    result = session._connection().execute(stmt.element, params)
    keys = [str(k).lower() for k in result.keys()]  # noqa: SIM118 - a Result, not a dict
    rows = [tuple(r) for r in result]
    positions = []
    for col in mapper._columns:
        name = col.name.lower()
        if name not in keys:
            raise exc.InvalidRequestError(
                f"from_statement() failed: the statement returns no column {col.name!r} for "
                f"{mapper.class_.__name__}. Select every mapped column (e.g. SELECT *)."
            )
        positions.append(keys.index(name))
    loader = instance_loader(mapper, tuple(positions), session,
                             populate_existing=bool(options and options.get(
                                 "populate_existing")))
    return ORMResult((mapper.class_.__name__,), loader(rows), scalar=True)


class FromStatementQuery:
    """What ``session.query(User).from_statement(stmt)`` returns."""

    def __init__(self, query: Any, statement: Any) -> None:
        from athanor.sql._select import FromStatement

        self._query = query
        self._stmt = FromStatement(query._entities, statement)
        self._params: dict[str, Any] = dict(query._params)

    def params(self, *args: Any, **kw: Any) -> FromStatementQuery:
        new = FromStatementQuery.__new__(FromStatementQuery)
        new.__dict__.update(self.__dict__)
        new._params = {**self._params, **(args[0] if args else {}), **kw}
        return new

    def _result(self) -> Any:
        return self._query._session("from_statement()").execute(self._stmt,
                                                                 self._params or None)

    def all(self) -> list[Any]:
        return self._result().scalars().all()  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.all())

    def first(self) -> Any:
        rows = self.all()
        return rows[0] if rows else None

    def one(self) -> Any:
        return self._result().scalars().one()

    def one_or_none(self) -> Any:
        return self._result().scalars().one_or_none()

    def scalar(self) -> Any:
        return self.one_or_none()


def returning_entity(mapper: Any, stmt: Any) -> bool:
    """Does ``stmt`` (an ORM INSERT) return exactly the mapped class (``returning(User)``)?"""
    ret: tuple[Any, ...] = getattr(stmt, "_returning", ())
    return len(ret) == 1 and ret[0] is mapper.local_table


def load_returned(session: Session, mapper: Any, result: Any) -> ORMResult:
    """Objects for the rows of ``insert(User).returning(User)`` (table columns in order)."""
    index = {id(c): i for i, c in enumerate(mapper.local_table.c)}
    positions = tuple(index[id(c)] for c in mapper._columns)
    loader = instance_loader(mapper, positions, session)
    return ORMResult((mapper.class_.__name__,), loader([tuple(r) for r in result]), scalar=True)
