"""The ``do_orm_execute`` session event and its :class:`ORMExecuteState`.

Design
------
Nothing here runs unless a ``do_orm_execute`` listener exists (the Session checks its
dispatch tuple first). Then every ``Session.execute()`` (and so ``scalars()``, ``Query``
results, ``get()`` that needs SQL) and every relationship load builds one
:class:`ORMExecuteState` and calls the listeners in order. A listener may replace
``state.statement`` (typically adding options such as ``with_loader_criteria()``), change
options with :meth:`~ORMExecuteState.update_execution_options`, or produce the result itself:
whatever non-None value a listener returns becomes the result, and
:meth:`~ORMExecuteState.invoke_statement` runs the statement through the remaining
listeners and the ORM, for a listener that wants the result in hand (caching recipes).

Relationship loads run their Core statement (see :mod:`athanor.orm.strategies`) with
``is_relationship_load`` set; attribute loads of deferred or expired columns do not fire
the event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from athanor import exc

Runner = Callable[[Any, Any, dict[str, Any]], Any]


class ORMExecuteState:
    """One ORM execution as seen by ``do_orm_execute`` listeners."""

    def __init__(self, session: Any, statement: Any, parameters: Any,
                 execution_options: dict[str, Any], bind_arguments: Any,
                 listeners: tuple[Callable[..., Any], ...], runner: Runner, *,
                 local_options: dict[str, Any] | None = None,
                 is_relationship_load: bool = False, is_column_load: bool = False) -> None:
        self.session = session
        self.statement = statement
        self.parameters = parameters
        #: the options given to Session.execute() (plus update_execution_options())
        self.local_execution_options = dict(local_options if local_options is not None
                                            else execution_options)
        #: the statement's options merged with the local ones, as the execution began
        self.execution_options = dict(execution_options)
        self._updates: dict[str, Any] = {}
        self.bind_arguments = dict(bind_arguments or {})
        self.is_relationship_load = is_relationship_load
        self.is_column_load = is_column_load
        self._listeners = listeners
        self._next = 0
        self._runner = runner

    # -- what is being executed ----------------------------------------------------------
    @property
    def is_select(self) -> bool:
        return bool(getattr(self.statement, "_is_select", False)) or self.is_from_statement

    @property
    def is_from_statement(self) -> bool:
        return bool(getattr(self.statement, "_is_from_statement", False))

    def _dml(self, kind: str) -> bool:
        return bool(getattr(self.statement, "_is_dml", False)) and (
            self.statement.__visit_name__ == kind)

    @property
    def is_insert(self) -> bool:
        return self._dml("insert")

    @property
    def is_update(self) -> bool:
        return self._dml("update")

    @property
    def is_delete(self) -> bool:
        return self._dml("delete")

    @property
    def is_dml(self) -> bool:
        return bool(getattr(self.statement, "_is_dml", False))

    @property
    def is_executemany(self) -> bool:
        return isinstance(self.parameters, list) and len(self.parameters) > 1

    @property
    def all_mappers(self) -> list[Any]:
        """The mappers of the entities the statement selects (or writes to)."""
        from athanor.orm.context import _mapper_of_entity, mapper_for_table

        stmt = self.statement
        if getattr(stmt, "_is_dml", False):
            m = mapper_for_table(stmt.table)
            return [m] if m is not None else []
        out: list[Any] = []
        for e in getattr(stmt, "_raw_entities", ()):
            m = _mapper_of_entity(e)
            if m is None and getattr(getattr(e, "prop", None), "is_column", False):
                m = e.prop.parent
            if m is None and getattr(e, "table", None) is not None:  # a loader's columns
                m = mapper_for_table(e.table)
            if m is not None and m not in out:
                out.append(m)
        return out

    @property
    def bind_mapper(self) -> Any:
        found = self.all_mappers
        return found[0] if found else None

    @property
    def is_orm_statement(self) -> bool:
        return bool(self.all_mappers)

    @property
    def user_defined_options(self) -> list[Any]:
        """The statement's ``UserDefinedOption`` objects (and subclasses)."""
        from athanor.orm.strategy_options import UserDefinedOption

        return [o for o in getattr(self.statement, "_with_options", ())
                if isinstance(o, UserDefinedOption)]

    @property
    def lazy_loaded_from(self) -> Any:
        return None

    # -- changing it ---------------------------------------------------------------------
    def update_execution_options(self, **opts: Any) -> None:
        """Change execution options for this execution (``populate_existing=True``, ...);
        as in SQLAlchemy, :attr:`execution_options` keeps showing the starting ones."""
        self.local_execution_options = {**self.local_execution_options, **opts}
        self._updates = {**self._updates, **opts}

    def invoke_statement(self, statement: Any = None, params: Any = None,
                         execution_options: Any = None, bind_arguments: Any = None) -> Any:
        """Run the statement (or ``statement``) through the listeners after this one and
        the ORM, and return its result."""
        nxt = ORMExecuteState.__new__(ORMExecuteState)
        nxt.__dict__.update(self.__dict__)
        if statement is not None:
            nxt.statement = statement
        if params is not None:
            nxt.parameters = ({**self.parameters, **params} if isinstance(
                self.parameters, dict) and isinstance(params, dict) else params)
        if execution_options:
            nxt._updates = {**self._updates, **execution_options}
        if bind_arguments:
            nxt.bind_arguments = {**self.bind_arguments, **bind_arguments}
        return nxt._run()

    def _listen(self) -> Any:
        """Call the listeners not called yet; the first result one returns, or None."""
        listeners = self._listeners
        while self._next < len(listeners):
            fn = listeners[self._next]
            self._next += 1
            result = fn(self)
            if result is not None:
                return result
        return None

    def _options(self) -> dict[str, Any]:
        """The execution options to run with (update_execution_options() applied)."""
        if self._updates:
            return {**self.execution_options, **self._updates}
        return self.execution_options

    def _run(self) -> Any:
        result = self._listen()
        if result is not None:
            return result
        return self._runner(self.statement, self.parameters, self._options())


def execute(session: Any, statement: Any, params: Any, options: dict[str, Any],
            local_options: dict[str, Any], bind_arguments: Any) -> Any:
    """``Session.execute()`` when ``do_orm_execute`` has listeners."""
    from athanor.orm import context

    def run(stmt: Any, p: Any, o: dict[str, Any]) -> Any:
        return context.execute(session, stmt, p, o)

    return ORMExecuteState(session, statement, params, options, bind_arguments,
                           session._dispatch.do_orm_execute, run,
                           local_options=local_options)._run()


def listeners_only(session: Any, statement: Any, params: Any, options: dict[str, Any],
                   local_options: dict[str, Any], bind_arguments: Any
                   ) -> tuple[Any, Any, Any, dict[str, Any]]:
    """Run the listeners for an execution the caller performs itself (an AsyncSession's):
    (a listener's result or None, statement, parameters, execution options)."""

    def run(stmt: Any, p: Any, o: dict[str, Any]) -> Any:
        raise exc.InvalidRequestError(
            "ORMExecuteState.invoke_statement() failed: an AsyncSession runs the statement "
            "after its do_orm_execute listeners, which cannot wait for it. Change "
            "state.statement or the options instead, or use a sync Session."
        )

    state = ORMExecuteState(session, statement, params, options, bind_arguments,
                            session._dispatch.do_orm_execute, run, local_options=local_options)
    result = state._listen()
    return result, state.statement, state.parameters, state._options()


def column_rows(session: Any, mapper: Any, ident: Any, keys: tuple[str, ...] | None = None
                ) -> list[Any]:
    """Rows of a primary-key load of ``mapper``'s columns (``keys``: those attributes;
    None: the default ones) run past the listeners as a column load (refresh, expired or
    deferred attributes)."""
    from athanor.orm.context import _pk_bind_params, _tuples

    if keys is None:
        from athanor.orm.persistence import select_by_pk_stmt

        stmt = select_by_pk_stmt(mapper)
    else:
        from athanor.orm._deferred import pk_select

        stmt = pk_select(mapper, keys)

    def run(st: Any, p: Any, o: dict[str, Any]) -> Any:
        return session._connection().execute(st, p)

    return _tuples(ORMExecuteState(session, stmt, _pk_bind_params(mapper, ident), {}, None,
                                   session._dispatch.do_orm_execute, run,
                                   is_column_load=True)._run())


def relationship_load(session: Any, statement: Any, params: Any) -> Any:
    """A relationship load's statement when ``do_orm_execute`` has listeners."""

    def run(stmt: Any, p: Any, o: dict[str, Any]) -> Any:
        return session._connection().execute(stmt, p)

    return ORMExecuteState(session, statement, params, {}, None,
                           session._dispatch.do_orm_execute, run,
                           is_relationship_load=True)._run()


__all__ = ["ORMExecuteState"]
