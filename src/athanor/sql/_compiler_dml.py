"""INSERT / UPDATE / DELETE rendering, RETURNING and the upsert clause. Mixed into
:class:`athanor.sql.compiler.SQLCompiler`.

Which columns an INSERT or UPDATE names is decided here: the statement's ``.values()``, then
the execute-time parameter keys (``column_keys``), then columns with Python-side defaults
(``default`` on INSERT, ``onupdate`` on UPDATE). Binds for table columns are named by column
key, so a parameter dict keyed by column keys fills them. Scalar and callable defaults
become slots evaluated when parameters are built (per row for executemany); SQL-expression
defaults are rendered inline.
"""

from __future__ import annotations

from typing import Any

import athanor.exc as exc


class DMLCompilerMixin:
    process: Any
    quote: Any
    dialect: Any
    add_slot: Any
    format_table: Any
    column_keys: Any
    _kind: str
    _stack: list[dict[str, Any]]
    _criteria: Any
    _returning: list[tuple[str, Any]]
    _implicit: bool

    # --- INSERT -----------------------------------------------------------------------
    def visit_insert(self, stmt: Any, **kw: Any) -> str:
        self._kind = "insert"
        table = stmt.table
        text = "INSERT " + self.dml_prefixes(stmt) + "INTO " + self.format_table(table)
        if stmt._select is not None:
            cols, select = stmt._select
            names = ", ".join(self.quote(c.name) for c in cols)
            text += f" ({names}) " + self.process(select, asfrom=True)
        elif stmt._multi_values:
            rows = stmt._multi_values
            cols = [c for c, _ in rows[0]]
            text += " (" + ", ".join(self.quote(c.name) for c in cols) + ") VALUES "
            text += ", ".join(
                "(" + ", ".join(self.process(dict(row)[c]) for c in cols) + ")" for row in rows)
        else:
            pairs = self._insert_pairs(stmt)
            if not pairs:
                text += self.empty_insert_clause()
            else:
                text += " (" + ", ".join(self.quote(c.name) for c, _ in pairs) + ")"
                text += " VALUES (" + ", ".join(v for _, v in pairs) + ")"
        if stmt._on_conflict is not None:
            text += self.on_conflict_clause(stmt, stmt._on_conflict)
        if not stmt._returning and not stmt._multi_values and stmt._select is None:
            if stmt._return_defaults and self._returning_allowed("insert"):
                return text + self._return_defaults_clause(stmt)
            if self.implicit_returning:
                return text + self._implicit_returning_clause(stmt, text)
        return text + self._returning_clause(stmt)

    def _return_defaults_clause(self, stmt: Any) -> str:
        """``insert().return_defaults()``: RETURNING the primary key and every column the
        database fills itself (server defaults, computed and identity columns), for
        ``result.returned_defaults`` and ``inserted_primary_key``."""
        table = stmt.table
        pk = list(getattr(table, "primary_key", ()) or ())
        generated = [c for c in table.c if c not in pk and (
            c.server_default is not None or getattr(c, "computed", None) is not None
            or getattr(c, "identity", None) is not None)]
        cols = pk + generated
        if not cols:
            return ""
        self._returning = [(c.key, c) for c in cols]
        self._implicit = True
        return " RETURNING " + ", ".join(self.quote(c.name) for c in cols)

    #: Does a single-row INSERT fetch its new autoincrement key with RETURNING (because
    #: the driver has no usable lastrowid)? Set by dialect compilers.
    implicit_returning = False

    def _implicit_returning_clause(self, stmt: Any, text: str) -> str:
        col = getattr(stmt.table, "autoincrement_column", None)
        if col is None or not self._returning_allowed("insert"):
            return ""
        given = {c for c in dict(stmt._values or ())}
        if col in given or (self.column_keys is not None and col.key in self.column_keys):
            return ""
        self._returning = [(col.key, col)]
        self._implicit = True
        return " RETURNING " + self.quote(col.name)

    def _returning_allowed(self, kind: str) -> bool:
        d = self.dialect
        if kind == "insert" and getattr(d, "server_insert_returning", False):
            return True
        if kind == "delete" and getattr(d, "is_mariadb", False):
            return True  # MariaDB has DELETE ... RETURNING (10.0+), never UPDATE ... RETURNING
        return bool(d.supports_returning)

    def empty_insert_clause(self) -> str:
        return " DEFAULT VALUES"

    def _insert_pairs(self, stmt: Any) -> list[tuple[Any, str]]:
        given = dict(stmt._values or ())
        keys = self.column_keys
        out: list[tuple[Any, str]] = []
        for col in stmt.table.c:
            if col in given_keys(given):
                out.append((col, self.process(_lookup(given, col))))
            elif (keys is None and not given) or (keys is not None and col.key in keys):
                out.append((col, self.add_slot(col.key, type_=_type(col))))
            else:
                default = getattr(col, "default", None)
                if default is not None:
                    out.append((col, self._default_sql(col, default)))
        return out

    def _default_sql(self, col: Any, default: Any) -> str:
        if getattr(default, "is_clause_element", False):
            return self.process(default.arg)  # type: ignore[no-any-return]
        if getattr(default, "is_callable", False):
            return self.add_slot(col.key, default=default.arg,  # type: ignore[no-any-return]
                                 type_=_type(col))
        if getattr(default, "is_sequence", False):
            return self.sequence_next(default)
        return self.add_slot(col.key, const=getattr(default, "arg", default),  # type: ignore[no-any-return]
                             type_=_type(col))

    def sequence_next(self, seq: Any) -> str:
        raise exc.CompileError(
            f"Compiling a Sequence default for {self.dialect.name} failed: this database "
            "has no sequences. Use an autoincrement primary key instead.")

    # --- UPDATE -----------------------------------------------------------------------
    def visit_update(self, stmt: Any, **kw: Any) -> str:
        self._stack.append(self._dml_scope(stmt))
        try:
            return self._update_text(stmt)
        finally:
            self._stack.pop()

    def _update_text(self, stmt: Any) -> str:
        self._kind = "update"
        pairs = self._update_pairs(stmt)
        if not pairs:
            raise exc.CompileError(
                f"Compiling UPDATE of {stmt.table.name!r} failed: no columns to SET. Call "
                ".values(column=value) or execute with a parameter dict naming columns.")
        extra = self._stack[-1]["froms"][1:]
        text = "UPDATE " + self.dml_prefixes(stmt) + self.update_tables(stmt, extra) + " SET "
        text += ", ".join(f"{self.set_target(c, extra)}={v}" for c, v in pairs)
        if extra:
            text += self.update_from_clause(stmt, extra)
        text += self._criteria(" WHERE ", stmt._where)
        return text + self._returning_clause(stmt)

    def update_tables(self, stmt: Any, extra: list[Any]) -> str:
        return self.format_table(stmt.table)  # type: ignore[no-any-return]

    def set_target(self, col: Any, extra: list[Any]) -> str:
        return self.quote(col.name)  # type: ignore[no-any-return]

    def update_from_clause(self, stmt: Any, extra: list[Any]) -> str:
        """``UPDATE t SET ... FROM other`` (PostgreSQL, SQLite 3.33+)."""
        return " FROM " + ", ".join(self.process(f, asfrom=True) for f in extra)

    def _dml_scope(self, stmt: Any) -> dict[str, Any]:
        """A stack entry holding the target table and any other table the WHERE/SET
        clauses name, so subqueries correlate to them and multi-table forms can render."""
        froms = [stmt.table]
        for e in (*stmt._where, *(v for _, v in stmt._values or ())):
            for f in e._from_objects:
                if not any(f is o for o in froms):
                    froms.append(f)
        return {"froms": froms, "labels": set()}

    def _update_pairs(self, stmt: Any) -> list[tuple[Any, str]]:
        given = dict(stmt._values or ())
        keys = self.column_keys
        taken = self._explicit_bind_names(stmt) if keys else set()
        out: list[tuple[Any, str]] = []
        for col in stmt.table.c:
            if col in given_keys(given):
                out.append((col, self.process(_lookup(given, col))))
            elif (keys is None and not given) or (
                    keys is not None and col.key in keys and col.key not in taken):
                out.append((col, self.add_slot(col.key, type_=_type(col))))
            else:
                onupdate = getattr(col, "onupdate", None)
                if onupdate is not None:
                    out.append((col, self._default_sql(col, onupdate)))
        return out

    def _explicit_bind_names(self, stmt: Any) -> set[str]:
        from athanor.sql.elements import _KeyState
        st = _KeyState()
        for w in stmt._where:
            w._ck(st)
        return {b.key for b in st.binds if not b.unique}

    # --- DELETE -----------------------------------------------------------------------
    def visit_delete(self, stmt: Any, **kw: Any) -> str:
        self._stack.append(self._dml_scope(stmt))
        try:
            return self._delete_text(stmt)
        finally:
            self._stack.pop()

    def _delete_text(self, stmt: Any) -> str:
        self._kind = "delete"
        text = "DELETE " + self.dml_prefixes(stmt) + "FROM " + self.format_table(stmt.table)
        extra = self._stack[-1]["froms"][1:]
        if extra:
            text += self.delete_using_clause(stmt, extra)
        text += self._criteria(" WHERE ", stmt._where)
        return text + self._returning_clause(stmt)

    def delete_using_clause(self, stmt: Any, extra: list[Any]) -> str:
        """``DELETE FROM t USING other`` (PostgreSQL)."""
        return " USING " + ", ".join(self.process(f, asfrom=True) for f in extra)

    # --- RETURNING --------------------------------------------------------------------
    def _returning_clause(self, stmt: Any) -> str:
        if not stmt._returning:
            return ""
        if not self._returning_allowed(type(stmt).__name__.lower()):
            raise exc.CompileError(
                f"Compiling {type(stmt).__name__.upper()} ... RETURNING for "
                f"{self.dialect.name} failed: this database (or server version) has no "
                "RETURNING. Run a SELECT after the statement, or use "
                "result.inserted_primary_key for new keys.")
        cols = stmt._returning_columns()
        self._returning = cols
        table = stmt.table
        rendered = []
        for name, col in cols:
            if col.__visit_name__ == "column" and getattr(col, "table", None) is table:
                sql = self.quote(col.name)
                rendered.append(sql if col.name == name else f"{sql} AS {self.quote(name)}")
            elif col.__visit_name__ == "column":
                rendered.append(self.process(col))
            else:
                rendered.append(
                    f"{self.process(col, within_columns=True)} AS {self.quote(name)}")
        return " RETURNING " + ", ".join(rendered)

    # --- upsert -----------------------------------------------------------------------
    def on_conflict_clause(self, stmt: Any, oc: Any) -> str:
        """``ON CONFLICT (...) DO NOTHING | DO UPDATE SET ...`` (PostgreSQL, SQLite)."""
        target = self._conflict_target(stmt, oc)
        if oc.action == "nothing":
            return f" ON CONFLICT{target} DO NOTHING"
        if not target:
            target = self._pk_target(stmt)
        sets = ", ".join(f"{self.quote(c.name)} = {self.process(v)}" for c, v in oc.set_)
        text = f" ON CONFLICT{target} DO UPDATE SET {sets}"
        if oc.where is not None:
            text += " WHERE " + self.process(oc.where)
        return text

    def dml_prefixes(self, stmt: Any) -> str:
        """``prefix_with()`` text for this dialect, each followed by a space."""
        name = self.dialect.name
        return "".join(f"{text} " for text, dialect in getattr(stmt, "_prefixes", ())
                       if dialect in ("*", name) or (name == "mysql" and dialect == "mariadb"))

    def _conflict_target(self, stmt: Any, oc: Any) -> str:
        constraint = oc.constraint
        if constraint is not None and not isinstance(constraint, str) and \
                constraint.name is None:  # an unnamed constraint or index: its columns
            cols: list[Any] = list(getattr(constraint, "columns", None) or getattr(
                constraint, "expressions", None) or ())
            return " (" + ", ".join(self.quote(c.name) for c in cols) + ")"
        if constraint is not None:
            name = constraint if isinstance(constraint, str) else constraint.name
            return f" ON CONSTRAINT {self.quote(name)}"
        if not oc.index_elements:
            return ""
        names = [self.quote(e if isinstance(e, str) else e.name) for e in oc.index_elements]
        text = " (" + ", ".join(names) + ")"
        if oc.index_where is not None:
            text += " WHERE " + self.process(oc.index_where, include_table=False)
        return text

    def _pk_target(self, stmt: Any) -> str:
        pk = list(stmt.table.primary_key)
        if not pk:
            raise exc.CompileError(
                f"Compiling on_conflict_do_update() for {stmt.table.name!r} failed: no "
                "index_elements and the table has no primary key. Pass "
                "index_elements=[...] naming the unique columns.")
        return " (" + ", ".join(self.quote(c.name) for c in pk) + ")"

    def visit_excluded(self, ex: Any, **kw: Any) -> str:
        return "excluded"


def given_keys(given: dict[Any, Any]) -> Any:
    return given.keys()


def _lookup(given: dict[Any, Any], col: Any) -> Any:
    return given[col]


def _type(col: Any) -> Any:
    t = col.type
    return None if getattr(t, "_is_null_type", False) else t
