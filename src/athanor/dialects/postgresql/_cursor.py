"""The psycopg cursors the dialect's connections use: server-side binding, with a
client-side path for the statements that need it. Imported when connecting (psycopg is
optional).

:class:`Cursor` / :class:`AsyncCursor` are psycopg's default cursors (parameters bound by
the server, automatic prepared statements after ``prepare_threshold`` executions). A
statement whose SQL string is a :class:`~athanor.dialects.postgresql.compiler.ClientBoundSQL`
(raw ``text()`` with parameters, or binds whose type the server could not work out) is run
the way :class:`psycopg.ClientCursor` runs everything: values merged into the text, never
prepared. Both kinds share one cursor, so ``execute``, ``executemany`` (pipelined, with
``returning``), ``stream`` and ``rowcount`` behave alike.

The switch works at the three points where psycopg's own ``ClientCursorMixin`` differs from
the default cursor: the query class (``_convert_query``), preparation (``_get_prepared``)
and sending (``_execute_send``); each delegates to ``ClientCursor``'s implementation for a
client-bound statement. :func:`cursor_factories` checks those hooks exist and otherwise
returns psycopg's ``ClientCursor`` classes (every statement client-bound, as before).
"""

from __future__ import annotations

from typing import Any

import psycopg

from athanor.dialects.postgresql.compiler import ClientBoundSQL

_HOOKS = ("_convert_query", "_get_prepared", "_execute_send")


def _hooks_present() -> bool:
    return all(
        callable(getattr(cls, name, None))
        for cls in (psycopg.Cursor, psycopg.ClientCursor, psycopg.AsyncCursor)
        for name in _HOOKS
    ) and hasattr(psycopg.ClientCursor, "_query_cls")


_HYBRID = _hooks_present()
if _HYBRID:
    _ClientQuery: Any = psycopg.ClientCursor._query_cls
    _client_get_prepared: Any = psycopg.ClientCursor._get_prepared
    _client_execute_send: Any = psycopg.ClientCursor._execute_send


class _Binding:
    """Route a :class:`ClientBoundSQL` statement through ClientCursor's code."""

    __slots__ = ()

    def _convert_query(self, query: Any, params: Any = None) -> Any:
        if type(query) is ClientBoundSQL:
            pgq = _ClientQuery(self._tx)  # type: ignore[attr-defined]
            pgq.convert(query, params)
            return pgq
        return super()._convert_query(query, params)  # type: ignore[misc]

    def _get_prepared(self, pgq: Any, prepare: Any = None) -> Any:
        if type(pgq) is _ClientQuery:
            return _client_get_prepared(self, pgq, prepare)
        return super()._get_prepared(pgq, prepare)  # type: ignore[misc]

    def _execute_send(self, query: Any, *, force_extended: bool = False,
                      binary: bool | None = None) -> None:
        if type(query) is _ClientQuery:
            _client_execute_send(self, query, force_extended=force_extended, binary=binary)
            return
        super()._execute_send(  # type: ignore[misc]
            query, force_extended=force_extended, binary=binary)


class Cursor(_Binding, psycopg.Cursor):  # type: ignore[misc]
    """psycopg's default cursor; ClientBoundSQL statements bound client-side."""


class AsyncCursor(_Binding, psycopg.AsyncCursor):  # type: ignore[misc]
    """psycopg's default async cursor; ClientBoundSQL statements bound client-side."""


def cursor_factories() -> tuple[type[Any], type[Any]]:
    """The (sync, async) cursor classes for new connections."""
    if _HYBRID:
        return Cursor, AsyncCursor
    return psycopg.ClientCursor, psycopg.AsyncClientCursor


def mogrify(connection: Any, sql: str, params: Any) -> str:
    """``sql`` with ``params`` merged client-side, as psycopg's ClientCursor would send it."""
    if isinstance(connection, psycopg.AsyncConnection):
        return psycopg.AsyncClientCursor(connection).mogrify(sql, params)
    return psycopg.ClientCursor(connection).mogrify(sql, params)


__all__ = ["AsyncCursor", "Cursor", "cursor_factories", "mogrify"]
