"""PostgreSQL's SQL spelling for statements, and the typing of bind parameters.

PostgreSQL speaks nearly the generic dialect; the differences are DISTINCT ON, the
``FOR SHARE`` / ``FOR KEY SHARE`` lock strengths, and integer division rendered for
Python's ``/`` semantics being left to the user (``/`` stays ``/``).

**Binds and server-side binding.** psycopg sends parameters separately from the SQL text
(``$1``, ``$2`` ...) and the server must find each one's type. Python ``str`` and ``None``
go as "unknown", which the server resolves from the surrounding SQL: ``col = $1``, an INSERT
value, ``lower($1)``, ``LIMIT $1`` all work. A few positions give it nothing to go on --
``$1 IS NULL``, ``count($1)``, ``concat($1, ...)``, ``json_build_object`` and the other
``"any"`` functions -- and fail with "could not determine data type of parameter". So:

- A bind that is the direct operand of a comparison or arithmetic with something that is
  not itself a bind (``users.id = %s``, ``a IN (%s, %s)``, ``CAST(%s AS DATE)``) renders as
  ``%s``: the other operand types it, and the SQL is the same as with client-side binding.
- Any other typed bind gets its type as a cast: ``count(%s::VARCHAR)``,
  ``%s::BOOLEAN IS NULL``. The cast names drop lengths and precisions (a cast to
  ``VARCHAR(3)`` would truncate). Integers get no cast there (psycopg sends them as
  int4/int8/numeric by size, as the server types integer literals, so ``round(x, %s)`` still
  finds its ``int`` overload), except under ``IS [NOT]``. ``Numeric`` binds are cast even
  beside a column: psycopg sends a Python float as ``float8``, which would make the server
  compare ``numeric_col::float8`` and skip the column's index. So are ``ARRAY`` binds: a
  list of small ints goes as ``int2[]``, which ``integer[] = ...`` does not accept.
- A statement that holds raw SQL with parameters (``text()``, anywhere in it), or an untyped
  bind (``bindparam("x")`` without a type) in a position like the above, cannot be typed
  here. Its SQL is then exactly the client-side one (no casts) and the string is a
  :class:`ClientBoundSQL`, which the dialect's cursor merges client-side (as psycopg's
  ``ClientCursor`` does) instead of binding on the server.

Casts are rendered as private tokens and settled in :meth:`PostgreSQLCompiler.compile`, once
the whole statement is known to be server- or client-bound.
"""

from __future__ import annotations

import re
from typing import Any

from athanor import exc
from athanor.sql import operators as ops
from athanor.sql._composite import ClauseList, InList
from athanor.sql.compiler import Compiled, SQLCompiler
from athanor.sql.elements import BindParameter

_CAST = "\x01"
_CAST_RE = re.compile("\x01([^\x01]*)\x01")
_ARGS_RE = re.compile(r"\([^()]*\)| COLLATE .*$")
_INTEGERS = frozenset({"INTEGER", "SMALLINT", "BIGINT", "SERIAL", "BIGSERIAL", "SMALLSERIAL",
                       "INT", "INT2", "INT4", "INT8"})
#: A cast to CHAR means CHAR(1): compare blank-padded strings as VARCHAR instead.
_RENAME = {"CHAR": "VARCHAR", "NCHAR": "VARCHAR", "CHARACTER": "VARCHAR", "BIT": "VARBIT"}
#: Types cast even where the other operand types the bind (see the module docstring).
_CAST_BESIDE_COLUMN = frozenset({"NUMERIC", "DECIMAL"})
#: Operators whose other operand says nothing about a bind's type.
_NULL_TESTS = (ops.is_, ops.is_not)
_ARITHMETIC = (ops.add, ops.sub, ops.mul, ops.truediv, ops.floordiv, ops.mod)


class ClientBoundSQL(str):
    """SQL text whose parameters must be merged client-side (see the module docstring)."""

    __slots__ = ()


class PostgreSQLCompiler(SQLCompiler):
    # psycopg has no lastrowid for SERIAL/IDENTITY keys: ask with RETURNING instead.
    implicit_returning = True
    operator_sql = {"regexp_match": "~", "not_regexp_match": "!~", "bitxor": "#"}

    def visit_json_path(self, el: Any, **kw: Any) -> str:
        text = self.process(el.expr)
        last = len(el.path) - 1
        for n, key in enumerate(el.path):
            op = "->>" if n == last and el.mode is not None else "->"
            text += f" {op} " + self.add_slot(self._unique_name("param"), const=key)
        cast = {"integer": "INTEGER", "float": "FLOAT", "boolean": "BOOLEAN"}.get(el.mode or "")
        return f"CAST(({text}) AS {cast})" if cast else f"({text})"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._client_bound = False
        self._cast_names: dict[Any, str | None] = {}
        self._typed_binds: set[int] = set()  # typed by their column: INSERT/SET values, IN items

    def compile(self) -> Compiled:
        compiled = super().compile()
        text = compiled.string
        if self._client_bound or self.literal_values is not None:
            text = _CAST_RE.sub("", text)
            if self._client_bound and self.literal_values is None:
                text = ClientBoundSQL(text)
        elif _CAST in text:
            text = _CAST_RE.sub(r"::\1", text)
        compiled.string = text
        return compiled

    def distinct_clause(self, select: Any) -> str:
        if select._distinct_on:
            cols = ", ".join(self.process(c) for c in select._distinct_on)
            return f"DISTINCT ON ({cols})"
        return "DISTINCT"

    def visit_insert(self, stmt: Any, **kw: Any) -> str:
        self._note_typed_binds(stmt._values or ())
        for row in stmt._multi_values or ():
            self._note_typed_binds(row)
        self._note_typed_binds(getattr(stmt._on_conflict, "set_", None) or ())
        return super().visit_insert(stmt, **kw)

    def visit_update(self, stmt: Any, **kw: Any) -> str:
        self._note_typed_binds(stmt._values or ())
        return super().visit_update(stmt, **kw)

    def _note_typed_binds(self, pairs: Any) -> None:
        for _col, value in pairs:
            if type(value) is BindParameter:
                self._typed_binds.add(id(value))

    # --- binds ------------------------------------------------------------------------
    def visit_bindparam(self, bind: BindParameter, **kw: Any) -> str:
        mark = super().visit_bindparam(bind, **kw)
        type_ = bind._type
        if kw.get("pg_null_test") is bind:
            pass
        elif kw.get("pg_typed_by") is bind or id(bind) in self._typed_binds:
            name = self._cast_name(type_) if type_ is not None else None
            if name is None or not (name in _CAST_BESIDE_COLUMN or name.endswith("[]")):
                return mark
            return mark + _CAST + ("NUMERIC" if name == "DECIMAL" else name) + _CAST
        if type_ is None or getattr(type_, "__visit_name__", "") == "null":
            self._client_bound = True  # nothing to cast to: merge it client-side
            return mark
        name = self._cast_name(type_)
        if name is None:
            self._client_bound = True
            return mark
        if name in _INTEGERS:
            widen = kw.get("pg_widen") or ()
            if kw.get("pg_null_test") is not bind and not any(w is bind for w in widen):
                return mark
            name = "BIGINT"
        return mark + _CAST + name + _CAST

    def visit_literal_string(self, lit: Any, **kw: Any) -> str:
        return super().visit_literal_string(lit, **kw) + _CAST + "VARCHAR" + _CAST

    def visit_textclause(self, clause: Any, **kw: Any) -> str:
        if clause._binds:
            self._client_bound = True  # raw SQL: nothing says where its binds stand
        return super().visit_textclause(clause, **kw)

    def visit_binary(self, b: Any, **kw: Any) -> str:
        op = b.operator
        left, right = b.left, b.right
        left_bind, right_bind = type(left) is BindParameter, type(right) is BindParameter
        if any(op is o for o in _NULL_TESTS):
            if left_bind:
                kw["pg_null_test"] = left
        elif left_bind and right_bind:
            if any(op is o for o in _ARITHMETIC):  # int2 * int2 would overflow at 32767: widen
                kw["pg_widen"] = (left, right)
        elif left_bind:
            kw["pg_typed_by"] = left
        elif right_bind:
            kw["pg_typed_by"] = right
        elif isinstance(right, (InList, ClauseList)):  # IN (...), BETWEEN .. AND ..
            for item in right.clauses:
                if type(item) is BindParameter:
                    self._typed_binds.add(id(item))
        return super().visit_binary(b, **kw)

    def visit_cast(self, c: Any, **kw: Any) -> str:
        if type(c.clause) is BindParameter:  # CAST(%s AS DATE): the cast types it
            kw["pg_typed_by"] = c.clause
        return super().visit_cast(c, **kw)

    def _cast_name(self, type_: Any) -> str | None:
        """The type's name for a bind cast (no length, precision or collation); None when
        this dialect cannot spell it."""
        key = id(type_)
        if key in self._cast_names:
            return self._cast_names[key]
        try:
            name = self.cast_type(type_)
        except (exc.CompileError, exc.UnsupportedCompilationError, AttributeError, TypeError):
            name = None
        if name is not None:
            name = _ARGS_RE.sub("", name).strip()
            name = _RENAME.get(name, name)
            if not name or _CAST in name:
                name = None
        self._cast_names[key] = name
        return name


__all__ = ["ClientBoundSQL", "PostgreSQLCompiler"]
