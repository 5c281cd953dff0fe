"""CursorResult: a :class:`Result` reading from a driver cursor.

Rows stay in the cursor until asked for (``fetchmany`` chunks when iterating); each chunk is
processed in one pass by the statement's result processors, or handed through untouched
when every processor is None (the common case). Statements that return no rows close their
cursor at once and keep only ``rowcount`` / ``lastrowid``.

Result metadata (keys, Row class, processing function) is built once per compiled statement
and kept on it as ``_athanor_result_meta`` when the object allows attributes; text without
typed columns takes its keys from ``cursor.description``.

``inserted_primary_key`` follows SQLAlchemy: for an ``insert()``, the primary key values in
column order, taken from the RETURNING row when the statement has one, else from the
executed parameters (``compiled.bind_names`` aligned with the driver parameters), else, for
the autoincrement column, from ``cursor.lastrowid``. After an executemany with RETURNING
(one driver batch, or one execution per set) each parameter set has its own RETURNING row,
so ``inserted_primary_key_rows`` gives every real key; a plain executemany without RETURNING
cannot know keys the database generated (None there, as with SQLAlchemy).

``returns_rows`` is False when the compiler added RETURNING only to learn the new key
(``compiled.implicit_returning``); that row stays readable for the ORM's fast path.

Lifetime: a result holds no reference to itself, so dropping an unread result frees it and
its cursor at once (reference counting, not the cycle collector). The connection keeps weak
references to results holding a cursor and closes those cursors when it is released.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, NoReturn

from athanor import exc
from athanor.engine.result import Result, ResultMetaData, _no_rows_error
from athanor.engine.row import Row, row_class

if TYPE_CHECKING:
    from athanor.engine.base import Connection

_log = logging.getLogger("athanor.engine")


#: metadata of ``exec_driver_sql`` results by column names (immutable, shared)
_DRIVER_SQL_META: dict[tuple[str, ...], ResultMetaData] = {}


def metadata_for(compiled: Any, description: Any) -> ResultMetaData:
    """Result metadata for a statement's cursor description, cached on the compiled object.

    Typed statements (``result_columns`` matching the description) keep one metadata object
    as ``compiled._athanor_result_meta``, used next time without reading the description;
    text keeps one per column-name tuple in ``compiled._athanor_text_meta``.
    """
    names = tuple([d[0] for d in description])
    if compiled is None:  # driver SQL: one metadata object per column-name tuple
        found_text = _DRIVER_SQL_META.get(names)
        if found_text is None:
            if len(_DRIVER_SQL_META) >= 256:
                _DRIVER_SQL_META.clear()
            found_text = _DRIVER_SQL_META[names] = ResultMetaData(names)
        return found_text
    columns = getattr(compiled, "result_columns", None) or ()
    if len(columns) == len(names):
        procs = getattr(compiled, "result_processors", None)
        meta = ResultMetaData(
            [c[0] for c in columns], procs if procs and len(procs) == len(names) else None
        )
        _remember(compiled, "_athanor_result_meta", meta)
        return meta
    by_names = getattr(compiled, "_athanor_text_meta", None)
    if by_names is None:
        by_names = {}
        _remember(compiled, "_athanor_text_meta", by_names)
    found: ResultMetaData | None = by_names.get(names)
    if found is None:
        if len(by_names) > 8:
            by_names.clear()
        found = by_names[names] = ResultMetaData(names)
    return found


def _remember(compiled: Any, name: str, value: Any) -> None:
    try:
        setattr(compiled, name, value)
    except AttributeError:  # a slotted Compiled: rebuilt per execution instead
        pass


class CursorResult(Result):
    """The result of one execution: rows (if any), rowcount, inserted primary keys."""

    def __init__(
        self,
        connection: Connection,
        cursor: Any,
        compiled: Any = None,
        parameters: Any = None,
        *,
        many: bool = False,
    ) -> None:
        self.connection = connection
        self.context = None
        self.compiled = compiled
        self._parameters = parameters
        self._many = many
        self.rowcount: int = cursor.rowcount
        self._lastrowid = getattr(cursor, "lastrowid", None)
        self._buffer: list[tuple[Any, ...]] | None = None
        self._returned: tuple[Any, ...] | None = None
        self._returned_rows: list[tuple[Any, ...]] | None = None
        self._conn_closed = False
        self._log_rows = connection._echo_rows
        meta = getattr(compiled, "_athanor_result_meta", None)
        if meta is None:
            description = cursor.description
            if description is None:
                self._cursor = None
                self._set_metadata(None)
                self._closed = True
                cursor.close()
                return
            meta = metadata_for(compiled, description)
        self._cursor = cursor
        self._set_metadata(meta)
        self._process = meta.process_row
        if compiled is not None and compiled.is_insert and compiled.has_returning:
            self._buffer = self._raw_all_from_cursor()
            self._returned_rows = list(self._buffer)
            self._closed = False
            if self._buffer:
                self._returned = self._buffer[0]

    # --- facts about the execution ------------------------------------------------
    @property
    def returns_rows(self) -> bool:
        """True when the statement gives rows to the caller.

        False for an INSERT whose RETURNING was added by the compiler only to learn the new
        key (``compiled.implicit_returning``): that row feeds ``inserted_primary_key``.
        """
        if self._metadata is None:
            return False
        return not getattr(self.compiled, "implicit_returning", False)

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def is_insert(self) -> bool:
        return bool(self.compiled is not None and getattr(self.compiled, "is_insert", False))

    def supports_sane_rowcount(self) -> bool:
        return bool(self.connection.dialect.supports_sane_rowcount)

    def supports_sane_multi_rowcount(self) -> bool:
        return bool(self.connection.dialect.supports_sane_multi_rowcount)

    # --- source interface ---------------------------------------------------------
    def _cursor_or_raise(self) -> Any:
        if self._hard_closed_flag:
            if self._conn_closed:
                raise exc.ResourceClosedError(
                    "Fetching from a result failed: its connection was closed (or returned to "
                    "the pool) before the rows were read, which closed the cursor. Read the "
                    "rows (e.g. all()) before closing the connection."
                )
            raise exc.ResourceClosedError(
                "Fetching from a result failed: it was closed. Fetch rows before close()."
            )
        if self._metadata is None:
            raise _no_rows_error()
        return self._cursor

    def _raw_all_from_cursor(self) -> list[tuple[Any, ...]]:
        cursor = self._cursor
        assert cursor is not None
        try:
            rows = cursor.fetchall()
        except Exception as err:
            self._fetch_failed(err)
        self._release_cursor()
        process = self._process
        if process is not None:
            return list(map(process, rows))
        return rows if type(rows) is list else list(rows)

    def _raw_one(self) -> tuple[Any, ...] | None:
        cursor = self._cursor_or_raise()
        if self._buffer is not None:
            row = self._buffer.pop(0) if self._buffer else None
        elif cursor is None:
            return None
        else:
            try:
                row = cursor.fetchone()
            except Exception as err:
                self._fetch_failed(err)
            if row is None:
                self._release_cursor()
                return None
            if self._process is not None:
                row = self._process(row)
        if self._log_rows and row is not None:
            _log._log(logging.DEBUG, "Row %r", (row,))
        return row

    def _raw_many(self, size: int) -> list[tuple[Any, ...]]:
        cursor = self._cursor_or_raise()
        if self._buffer is not None:
            rows, self._buffer[:size] = self._buffer[:size], []
        elif cursor is None:
            return []
        else:
            try:
                rows = cursor.fetchmany(size)
            except Exception as err:
                self._fetch_failed(err)
            if len(rows) < size:
                self._release_cursor()
            if self._process is not None:
                rows = list(map(self._process, rows))
            elif type(rows) is not list:
                rows = list(rows)
        if self._log_rows:
            for row in rows:
                _log._log(logging.DEBUG, "Row %r", (row,))
        return rows

    def _raw_all(self) -> list[tuple[Any, ...]]:
        cursor = self._cursor_or_raise()
        if self._buffer is not None:
            rows, self._buffer = self._buffer, []
        elif cursor is None:
            return []
        else:
            rows = self._raw_all_from_cursor()
        if self._log_rows:
            for row in rows:
                _log._log(logging.DEBUG, "Row %r", (row,))
        return rows

    def _fetch_failed(self, err: Exception) -> NoReturn:
        """A driver error while reading rows: close the cursor, raise it wrapped."""
        self._release_cursor()
        sql = getattr(self.compiled, "string", None)
        self.connection._raise_wrapped(err, sql, self._parameters)

    def _release_cursor(self) -> None:
        cursor, self._cursor = self._cursor, None
        self._closed = True
        if cursor is not None:
            try:
                cursor.close()
            except Exception:  # closing a cursor of a dead connection may fail
                pass

    def _soft_close(self) -> None:
        self._buffer = None if self._buffer is None else []
        self._release_cursor()

    def _close_for_connection(self) -> None:
        """The connection is closing or going back to the pool: close the cursor now."""
        if self._cursor is not None:
            self._conn_closed = True
            self._hard_closed_flag = True
            self._release_cursor()

    def _gathered(
        self, rows: list[Any], param_sets: list[Any], *, raw: bool = False
    ) -> None:
        """Make this result stand for a whole executemany with RETURNING: ``rows`` are every
        parameter set's RETURNING rows, in order (``raw``: as the driver gave them)."""
        self._release_cursor()
        process = getattr(self, "_process", None)
        if raw and process is not None:
            rows = list(map(process, rows))
        self._buffer = rows
        self._returned_rows = list(rows)
        self._closed = False
        self._many = True
        self._parameters = param_sets
        self.rowcount = len(rows)  # RETURNING gives one row per affected row

    # --- inserted primary keys ------------------------------------------------------
    @property
    def inserted_primary_key_rows(self) -> list[Row]:
        """One Row of primary key values per inserted parameter set.

        Each value comes from the RETURNING row of that set when the INSERT had one (an
        explicit ``returning()`` naming the key, or the implicit RETURNING the PostgreSQL
        compiler adds for a server-generated key; executemany then runs one execution per
        set, so every set has its row), else from the parameters sent, else, for a single
        execution only, from ``cursor.lastrowid``. Keys generated by the database during a
        plain executemany without RETURNING (SQLite, MariaDB) are unknown: None.
        """
        compiled = self.compiled
        if compiled is None or not getattr(compiled, "is_insert", False):
            raise exc.InvalidRequestError(
                "Reading inserted_primary_key failed: the statement is not an insert(). "
                "It is only available after executing an insert() construct."
            )
        table = getattr(getattr(compiled, "statement", None), "table", None)
        pk_cols = list(getattr(table, "primary_key", None) or ())
        keys = [getattr(c, "key", getattr(c, "name", "")) for c in pk_cols]
        cls = row_class(keys)
        autoinc = _autoincrement_key(pk_cols)
        returned_keys = self._metadata.keys if self._metadata is not None else ()
        if not self._many:
            returned = self._returned
            lastrowid = self._lastrowid if autoinc is not None else None
            return [cls(self._pk_values(keys, self._parameters, returned, returned_keys,
                                        autoinc, lastrowid))]
        params = self._parameters
        per_set = self._returned_rows
        if per_set is None or len(per_set) != len(params):
            per_set = [None] * len(params)  # type: ignore[list-item]
        return [
            cls(self._pk_values(keys, p, r, returned_keys, autoinc, None))
            for p, r in zip(params, per_set, strict=True)
        ]

    @property
    def inserted_primary_key(self) -> Row | None:
        """The primary key of the inserted row, as a Row in primary key column order."""
        if self._many:
            raise exc.InvalidRequestError(
                "Reading inserted_primary_key failed: the insert ran with several parameter "
                "sets (executemany). Use inserted_primary_key_rows."
            )
        rows = self.inserted_primary_key_rows
        return rows[0] if rows else None

    def _pk_values(
        self,
        keys: list[str],
        params: Any,
        returned_row: tuple[Any, ...] | None,
        returned_keys: tuple[str, ...] | tuple[()],
        autoinc: str | None,
        lastrowid: Any,
    ) -> tuple[Any, ...]:
        returned: dict[str, Any] = {}
        if returned_row is not None:
            returned = dict(zip(returned_keys, returned_row, strict=False))
        sent: dict[str, Any] = {}
        if params is not None and not isinstance(params, dict):
            bind_names = getattr(self.compiled, "bind_names", None) or ()
            sent = dict(zip(bind_names, params, strict=False))
        elif isinstance(params, dict):
            sent = params
        values = []
        for key in keys:
            if key in returned:
                values.append(returned[key])
            elif sent.get(key) is not None:
                values.append(sent[key])
            elif key == autoinc and lastrowid:
                values.append(lastrowid)
            else:
                values.append(None)
        return tuple(values)

    @property
    def returned_defaults(self) -> Row | None:
        """The RETURNING row of an insert/update that fetched server-generated values."""
        if self._returned is None or self._metadata is None:
            return None
        return self._metadata.row_class(self._returned)

    @property
    def returned_defaults_rows(self) -> list[Row] | None:
        row = self.returned_defaults
        return None if row is None else [row]


def _autoincrement_key(pk_cols: list[Any]) -> str | None:
    """The key of the column the database numbers itself (a lone integer primary key)."""
    if len(pk_cols) != 1:
        return None
    col = pk_cols[0]
    if getattr(col, "autoincrement", "auto") is False:
        return None
    return getattr(col, "key", None)
