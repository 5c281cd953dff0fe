"""The statement compiler: expression tree -> SQL text + a parameter plan.

:class:`SQLCompiler` walks a statement once, dispatching on ``__visit_name__`` to
``visit_<name>``; vendor subclasses (``athanor.dialects.<v>.compiler``) override only the
spots where their SQL differs. SELECT rendering lives in :mod:`._compiler_select`, INSERT /
UPDATE / DELETE in :mod:`._compiler_dml`, both mixed into :class:`SQLCompiler`.

Bind parameters are rendered as private markers while the text is built and replaced by the
dialect's placeholders at the end, in textual order. That makes the positional order right
by construction, whatever order the parts were rendered in (CTEs hoisted to the top, ...).
Each placeholder becomes a *slot* of the resulting :class:`Compiled`: where its value comes
from (a user parameter by name, the statement's extracted values by index, a column
default, or a constant) and which bind processor applies. Building the driver's parameter
tuple is then one loop over precomputed slots.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import athanor.exc as exc
from athanor.sql import _custom
from athanor.sql import operators as ops
from athanor.sql._compiler_dml import DMLCompilerMixin
from athanor.sql._compiler_select import SelectCompilerMixin
from athanor.sql._reserved import RESERVED_WORDS, quoted_name
from athanor.sql.elements import BindParameter, ClauseElement, InList

if TYPE_CHECKING:
    from athanor.sql.dialect import BaseDialect

#: Marks an extracted value that must come from the execute-time parameters.
REQUIRED = type("_Required", (), {"__repr__": lambda self: "REQUIRED"})()
_NO_VALUE = object()
_MARK = "\x00"
_MARK_RE = re.compile("\x00(\\d+)\x00")
# An expanding bind in finished SQL: "\x02<position among the driver parameters>\x02".
_EXPAND_RE = re.compile("\x02(\\d+)\x02")
_LEGAL = re.compile(r"^[a-z_][a-z0-9_$]*$")

# A slot: (name, extracted index or -1, constant, default, bind processor)
Slot = tuple[str, int, Any, Any, Any]


class Compiled:
    """A compiled statement: SQL text plus everything needed to build its parameters."""

    is_ddl = False
    #: True when RETURNING was added only to learn the new autoincrement key.
    implicit_returning = False

    def __init__(self, dialect: BaseDialect, statement: Any, string: str, slots: list[Slot],
                 result_columns: list[tuple[str, Any]], *, kind: str,
                 has_returning: bool) -> None:
        self.dialect = dialect
        self.statement = statement
        self.string = string
        self._slots = tuple(slots)
        self.bind_names = [s[0] for s in slots]
        self.positional = dialect.paramstyle in ("qmark", "format", "numeric")
        self.result_columns = result_columns
        self.result_processors = [
            _result_processor(t, dialect) for _, t in result_columns]
        self.is_select = kind == "select"
        self.is_insert = kind == "insert"
        self.is_update = kind == "update"
        self.is_delete = kind == "delete"
        self.is_text = kind == "text"
        self.has_returning = has_returning
        self.returns_rows = bool(result_columns) or kind == "text"
        self._extracted: tuple[Any, ...] = ()
        #: positions of expanding binds (``bindparam(..., expanding=True)``): a list value
        #: becomes one placeholder per item when the statement runs (:meth:`expand`).
        self.expanding = frozenset(i for i, s in enumerate(slots) if s[0].startswith("\x02"))
        if self.expanding:
            self._slots = tuple((s[0].lstrip("\x02"), *s[1:]) for s in slots)
            self.bind_names = [s[0] for s in self._slots]
        # Fast path: every value comes from `extracted` with no processing or defaults.
        self._plain = [s[1] for s in slots]
        self._simple = all(s[1] >= 0 and s[4] is None for s in slots)
        self._needs_check = True

    def __str__(self) -> str:
        return self.string

    def __repr__(self) -> str:
        return f"<Compiled {self.string[:60]!r}>"

    @property
    def params(self) -> dict[str, Any]:
        """Parameter values by name, as given in the statement (for display and tests)."""
        out: dict[str, Any] = {}
        for name, idx, const, _default, _ in self._slots:
            if idx >= 0:
                v = self._extracted[idx] if idx < len(self._extracted) else None
                out[name] = None if v is REQUIRED else v
            elif const is not _NO_VALUE:
                out[name] = const
            else:
                out.setdefault(name, None)
        return out

    def construct_params(self, params: dict[str, Any] | None = None,
                         extracted: Sequence[Any] = ()) -> Any:
        """The driver parameters (a tuple; a dict for the named paramstyle)."""
        if not params and self._simple:
            values = tuple([extracted[i] for i in self._plain])
            if REQUIRED in values:
                self._missing(params, extracted)
        else:
            values = tuple(self._values(params or {}, extracted))
        if self.positional:
            return values
        return dict(zip(self.bind_names, values, strict=True))

    def expand(self, params: dict[str, Any] | None,
               extracted: Sequence[Any] = ()) -> tuple[Compiled, Any]:
        """``(compiled, driver params)`` with each expanding bind's list spread out: the
        SQL gets ``(?, ?, ?)`` for a three-item list (``(NULL)`` for an empty one)."""
        if not self.positional:
            raise exc.CompileError(
                f"Executing {self.string[:40]!r} failed: expanding bind parameters need a "
                "positional paramstyle. Pass the list to in_() directly.")
        values = self._values(params or {}, extracted)
        out: list[Any] = []
        mark = "?" if self.dialect.paramstyle == "qmark" else "%s"
        spread: dict[int, str] = {}
        for i, value in enumerate(values):
            if i not in self.expanding:
                out.append(value)
                continue
            if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
                raise exc.ArgumentError(
                    f"Executing the statement failed: expanding parameter "
                    f"{self.bind_names[i]!r} needs a list or tuple of values; got "
                    f"{type(value).__name__}.")
            items = list(value)
            proc = self._slots[i][4]
            out.extend(items if proc is None else [proc(v) for v in items])
            spread[i] = "(" + (", ".join([mark] * len(items)) if items else "NULL") + ")"
        copy = object.__new__(Compiled)
        copy.__dict__.update(self.__dict__)
        copy.string = _EXPAND_RE.sub(lambda m: spread[int(m.group(1))], self.string)
        copy.expanding = frozenset()
        return copy, tuple(out)

    def construct_params_many(self, params_list: Sequence[dict[str, Any]],
                              extracted: Sequence[Any] = ()) -> list[Any]:
        return [self.construct_params(p, extracted) for p in params_list]

    def _values(self, params: dict[str, Any], extracted: Sequence[Any]) -> list[Any]:
        out = []
        for name, idx, const, default, proc in self._slots:
            if name in params:
                v = params[name]
            elif idx >= 0:
                v = extracted[idx]
                if v is REQUIRED:
                    raise self._missing_error(name)
            elif default is not None:
                v = default(None)
            elif const is not _NO_VALUE:
                v = const
            else:
                raise self._missing_error(name)
            out.append(v if proc is None else proc(v))
        return out

    def _missing(self, params: Any, extracted: Sequence[Any]) -> None:
        for name, idx, *_ in self._slots:
            if idx >= 0 and extracted[idx] is REQUIRED:
                raise self._missing_error(name)

    def _missing_error(self, name: str) -> exc.ArgumentError:
        return exc.ArgumentError(
            f"Executing the statement failed: no value for bind parameter {name!r}. "
            f"Pass it in the parameters, e.g. execute(stmt, {{{name!r}: ...}}).")


def _result_processor(type_: Any, dialect: BaseDialect) -> Callable[[Any], Any] | None:
    fn = getattr(type_, "result_processor", None)
    return fn(dialect, None) if fn is not None else None


def _item_type(bind: BindParameter) -> Any:
    """The type whose bind processor applies to one value (an expanding bind's items)."""
    type_ = bind._type
    if bind.expanding and getattr(type_, "_affinity", None) in ("null", "array"):
        return None
    return type_


def _bind_processor(type_: Any, dialect: BaseDialect) -> Callable[[Any], Any] | None:
    if type_ is None:
        return None
    fn = getattr(type_, "bind_processor", None)
    return fn(dialect) if fn is not None else None


class SQLCompiler(SelectCompilerMixin, DMLCompilerMixin):
    """Renders statements for one dialect. One instance compiles one statement."""

    #: Operator spellings that differ on this dialect, by operator name.
    operator_sql: dict[str, str] = {}
    #: Function names that differ on this dialect (``now`` -> ``CURRENT_TIMESTAMP``).
    function_names: dict[str, str] = {}
    quote_char = '"'
    reserved_words: frozenset[str] = RESERVED_WORDS

    def __init__(self, dialect: BaseDialect, statement: Any,
                 binds: Sequence[BindParameter] = (),
                 column_keys: Sequence[str] | None = None) -> None:
        self.dialect = dialect
        self.statement = statement
        self.column_keys = column_keys
        self._bind_index = {id(b): i for i, b in enumerate(binds)}
        self._slots: list[Slot] = []
        self._slot_of: dict[int, int] = {}
        self._anon_counts: dict[str, int] = {}
        self._anon_names: dict[int, str] = {}
        self._used_names: set[str] = set()
        self._init_select_state()
        self._kind = "text"
        self._returning: list[tuple[str, Any]] = []
        self._implicit = False

    # --- entry point ------------------------------------------------------------------
    def compile(self) -> Compiled:
        stmt = self.statement
        body = self.process(stmt, toplevel=True)
        body = self._with_ctes(body)
        string, slots = self._finish(body)
        kind = getattr(stmt, "__visit_name__", "")
        result: list[tuple[str, Any]] = []
        if getattr(stmt, "_is_select", False) and kind != "textclause":
            kind = "select"
            result = [(k, c.type) for k, c in stmt._export_columns()]
        elif getattr(stmt, "_is_dml", False):
            result = [(k, c.type) for k, c in self._returning]
        elif kind == "textclause":
            kind = "text"
            result = [(c.key, c.type) for c in stmt._columns]
        else:
            kind = "select" if kind in ("compound_select", "scalar_select", "exists") \
                else "text"
        compiled = Compiled(self.dialect, stmt, string, slots, result, kind=kind,
                            has_returning=bool(self._returning))
        compiled.implicit_returning = self._implicit
        return compiled

    #: Set to the statement's extracted values to render binds inline (``literal_binds``).
    literal_values: Sequence[Any] | None = None

    def _finish(self, body: str) -> tuple[str, list[Slot]]:
        ordered: list[Slot] = []
        style = self.dialect.paramstyle
        literal = self.literal_values
        if style in ("format", "pyformat") and literal is None:
            body = body.replace("%", "%%")

        def sub(m: re.Match[str]) -> str:
            slot = self._slots[int(m.group(1))]
            if literal is not None:
                return self.render_literal_value(_slot_value(slot, literal))
            if slot[0].startswith("\x02"):
                ordered.append(slot)
                return f"\x02{len(ordered) - 1}\x02"
            if style == "named":
                if not any(s is slot for s in ordered):
                    ordered.append(slot)
                return ":" + slot[0]
            ordered.append(slot)
            if style == "qmark":
                return "?"
            if style == "numeric":
                return f"${len(ordered)}"
            if style == "pyformat":
                return f"%({slot[0]})s"
            return "%s"

        return _MARK_RE.sub(sub, body), ordered

    def process(self, element: Any, **kw: Any) -> str:
        if _custom.ACTIVE:  # functions registered with athanor.ext.compiler
            table = _custom.lookup(type(element))
            if table is not None:
                return _custom.dispatch(table, self, element, kw)
        try:
            meth = getattr(self, "visit_" + element.__visit_name__)
        except AttributeError:
            raise exc.UnsupportedCompilationError(
                f"Compiling {type(element).__name__} for {self.dialect.name} failed: the "
                f"compiler has no visit_{getattr(element, '__visit_name__', '?')}(). This "
                "construct is not supported on this dialect.") from None
        return meth(element, **kw)  # type: ignore[no-any-return]

    # --- identifiers ------------------------------------------------------------------
    def quote(self, name: str) -> str:
        forced = getattr(name, "quote", None)  # a quoted_name decides for itself
        if forced is False or (forced is None and _LEGAL.match(name)
                               and name not in self.reserved_words):
            return name
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def format_table(self, table: Any) -> str:
        name = self.quote(table.name)
        if table.schema:
            return self.quote(table.schema) + "." + name
        return name

    def anon_name(self, obj: Any, prefix: str = "anon") -> str:
        name = self._anon_names.get(id(obj))
        if name is None:
            n = self._anon_counts.get("\x01" + prefix, 0) + 1
            self._anon_counts["\x01" + prefix] = n
            name = f"{prefix}_{n}"
            self._anon_names[id(obj)] = name
        return name

    # --- binds ------------------------------------------------------------------------
    def add_slot(self, name: str, *, index: int = -1, const: Any = _NO_VALUE,
                 default: Any = None, type_: Any = None) -> str:
        proc = _bind_processor(type_, self.dialect)
        self._slots.append((name, index, const, default, proc))
        return f"{_MARK}{len(self._slots) - 1}{_MARK}"

    def visit_bindparam(self, bind: BindParameter, **kw: Any) -> str:
        n = self._slot_of.get(id(bind))
        if n is not None:
            return f"{_MARK}{n}{_MARK}"
        name = bind.key
        if bind.unique:
            name = self._unique_name(name)
        index = self._bind_index.get(id(bind), -1)
        const = _NO_VALUE if index >= 0 or bind.required else bind.effective_value()
        if bind.expanding:  # the list is spread out per execution (Compiled.expand)
            name = "\x02" + name
            if isinstance(const, (list, tuple)) and const:
                const = list(const)
        mark = self.add_slot(name, index=index, const=const, type_=_item_type(bind))
        self._slot_of[id(bind)] = len(self._slots) - 1
        return mark

    def _unique_name(self, base: str) -> str:
        n = self._anon_counts.get(base, 0) + 1
        self._anon_counts[base] = n
        return f"{base}_{n}"

    def visit_literal_string(self, lit: Any, **kw: Any) -> str:
        return self.add_slot(self._unique_name("param"), const=lit.value)

    # --- simple expressions -----------------------------------------------------------
    def visit_column(self, col: Any, *, include_table: bool = True, **kw: Any) -> str:
        if col.is_literal:
            return str(col.name)
        table = col.table
        if table is None or not include_table:
            return self.quote(col.name)
        return self.from_reference(table) + "." + self.quote(col.name)

    def from_reference(self, table: Any) -> str:
        """How a column refers to its FROM: ``t``, ``schema.t``, an alias name."""
        if getattr(table, "__visit_name__", "") in ("table",) or getattr(
                table, "_is_table", False):
            return self.format_table(table)
        if table.__visit_name__ == "excluded":
            return "excluded"
        return self.quote(table.name) if table.name else self.anon_name(table)

    def visit_null(self, e: Any, **kw: Any) -> str:
        return "NULL"

    def visit_true(self, e: Any, **kw: Any) -> str:
        return "true" if self.dialect.supports_native_boolean else "1"

    def visit_false(self, e: Any, **kw: Any) -> str:
        return "false" if self.dialect.supports_native_boolean else "0"

    def visit_grouping(self, g: Any, **kw: Any) -> str:
        return "(" + self.process(g.element, **_inner(kw)) + ")"

    def visit_textclause(self, clause: Any, **kw: Any) -> str:
        binds = clause._binds

        def sub(m: re.Match[str]) -> str:
            return self.process(binds[m.group(1)])

        text = clause._bind_re.sub(sub, clause.text)
        return text.replace("\\:", ":")

    def visit_label(self, label: Any, *, within_columns: bool = False, **kw: Any) -> str:
        inner = self.process(label.element, **_inner(kw))
        if within_columns:
            return inner
        name = label.name
        if name is not None and self._label_in_scope(label):
            return self.quote(name)
        return inner

    def visit_label_reference(self, ref: Any, **kw: Any) -> str:
        return self.quote(ref.name)

    def visit_clauselist(self, cl: Any, **kw: Any) -> str:
        sep = ", " if cl.operator is ops.comma else f" {cl.operator.sql} "
        parts = [self.process(c, **_inner(kw)) for c in cl.clauses]
        return sep.join(p for p in parts if p)

    def visit_in_list(self, cl: Any, **kw: Any) -> str:
        return "(" + ", ".join(self.process(c, **_inner(kw)) for c in cl.clauses) + ")"

    def visit_tuple(self, t: Any, **kw: Any) -> str:
        return "(" + ", ".join(self.process(c, **_inner(kw)) for c in t.clauses) + ")"

    def visit_binary(self, b: Any, **kw: Any) -> str:
        op = b.operator
        kw = _inner(kw)
        if (op is ops.in_ or op is ops.not_in) and isinstance(b.right, InList) \
                and not b.right.clauses:
            return self.empty_in(b, op is ops.not_in, **kw)
        if (op is ops.ilike or op is ops.not_ilike) and not self.dialect.supports_ilike:
            return self.emulated_ilike(b, **kw)
        left = self.process(b.left, **kw)
        right = self.process(b.right, **kw)
        if op is ops.concat:
            return self.concat_sql([left, right])
        text = f"{left} {self.operator_sql.get(op.name, op.sql)} {right}"
        if b.escape is not None:
            text += " ESCAPE " + self.render_string_literal(b.escape)
        return text

    def empty_in(self, b: Any, negate: bool, **kw: Any) -> str:
        return "1 = 1" if negate else "1 != 1"

    def emulated_ilike(self, b: Any, **kw: Any) -> str:
        word = "NOT LIKE" if b.operator is ops.not_ilike else "LIKE"
        text = f"lower({self.process(b.left, **kw)}) {word} lower({self.process(b.right, **kw)})"
        if b.escape is not None:
            text += " ESCAPE " + self.render_string_literal(b.escape)
        return text

    def render_literal_value(self, value: Any) -> str:
        """A Python value as SQL text, for ``literal_binds`` display only."""
        if value is None or value is REQUIRED:
            return "NULL"
        if isinstance(value, bool):
            return ("true" if value else "false") if self.dialect.supports_native_boolean \
                else str(int(value))
        if isinstance(value, (int, float, Decimal)):
            return repr(value) if isinstance(value, float) else str(value)
        if isinstance(value, (str, datetime.date, datetime.time, uuid.UUID)):
            text = value if isinstance(value, str) else (
                value.isoformat(" ") if isinstance(value, datetime.datetime)
                else str(value))
            return self.render_string_literal(text)
        raise exc.CompileError(
            f"Rendering a {type(value).__name__} value inline (literal_binds) failed: no "
            "literal form is known for it. Compile without literal_binds and read "
            "compiled.params.")

    def render_string_literal(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def concat_sql(self, parts: list[str]) -> str:
        return " || ".join(parts)

    def visit_concat(self, c: Any, **kw: Any) -> str:
        return self.concat_sql([self.process(p, **_inner(kw)) for p in c.parts])

    def visit_unary(self, u: Any, **kw: Any) -> str:
        inner = self.process(u.element, **_inner(kw))
        if u.operator is not None:
            op = u.operator
            if op is ops.neg or op is ops.bitnot:
                return op.sql + inner
            inner = f"{self.operator_sql.get(op.name, op.sql)} {inner}"
        if u.modifier is not None:
            return self.order_modifier(u, inner)
        return inner

    def order_modifier(self, u: Any, inner: str) -> str:
        return f"{inner} {u.modifier.sql}"

    def visit_collate(self, c: Any, **kw: Any) -> str:
        return f"{self.process(c.element, **_inner(kw))} COLLATE {self.quote(c.collation)}"

    def visit_cast(self, c: Any, **kw: Any) -> str:
        return f"CAST({self.process(c.clause, **_inner(kw))} AS {self.cast_type(c.type_)})"

    def cast_type(self, type_: Any) -> str:
        tc: Any = getattr(self.dialect, "type_compiler", None)
        proc = getattr(tc, "process", None) if tc is not None else None
        if proc is None:
            return type(type_).__name__.upper()
        return tc(self.dialect).process(type_)  # type: ignore[no-any-return]

    # --- JSON and ARRAY (athanor.sql._json); SQLite's spelling, others override -----
    def json_path_param(self, el: Any) -> str:
        from athanor.sql._json import path_string

        return self.add_slot(self._unique_name("param"), const=path_string(el.path))

    def visit_json_path(self, el: Any, **kw: Any) -> str:
        inner = (f"JSON_EXTRACT({self.process(el.expr, **_inner(kw))}, "
                 f"{self.json_path_param(el)})")
        mode = el.mode
        if mode is None:
            return f"JSON_QUOTE({inner})"
        if mode == "integer":
            return f"CAST({inner} AS INTEGER)"
        if mode == "float":
            return f"CAST({inner} AS REAL)"
        return inner

    def visit_array_index(self, el: Any, **kw: Any) -> str:
        return f"{self.process(el.expr, **_inner(kw))}[{self.process(el.index, **_inner(kw))}]"

    def visit_containment(self, el: Any, **kw: Any) -> str:
        other = self.process(el.other, **_inner(kw))
        if el.cast_other:
            other = f"CAST({other} AS {self.cast_type(el.expr.type)})"
        return f"{self.process(el.expr, **_inner(kw))} {el.operator_sql} {other}"

    def visit_type_coerce(self, c: Any, **kw: Any) -> str:
        return self.process(c.clause, **kw)

    # --- functions & friends ----------------------------------------------------------
    def visit_function(self, fn: Any, **kw: Any) -> str:
        kw = _inner(kw)
        lname = fn.name.lower()
        name = self.function_names.get(lname, fn.name)
        if fn.packagenames:
            name = ".".join([*fn.packagenames, name])
        from athanor.sql.functions import NO_PARENS
        if not fn.clauses.clauses and (lname in NO_PARENS or name.upper() == name and
                                       name.lower() in NO_PARENS):
            text = name.upper() if lname in NO_PARENS else name
        elif lname == "count" and not fn.clauses.clauses:
            text = "count(*)"
        else:
            text = f"{name}({self.process(fn.clauses, **kw)})"
        if fn.filter_clause is not None:
            text += f" FILTER (WHERE {self.process(fn.filter_clause, **kw)})"
        return text

    def visit_within_group(self, wg: Any, **kw: Any) -> str:
        kw = _inner(kw)
        order = ", ".join(self.process(o, **kw) for o in wg.order_by)
        text = f"{self.process(wg.element, **kw)} WITHIN GROUP (ORDER BY {order})"
        if wg.filter_clause is not None:
            text += f" FILTER (WHERE {self.process(wg.filter_clause, **kw)})"
        return text

    def visit_outparam(self, bind: Any, **kw: Any) -> str:
        raise exc.UnsupportedCompilationError(
            f"Compiling outparam({bind.key!r}) for {self.dialect.name} failed: OUT parameters "
            "exist only for stored procedures on Oracle. Return the value with RETURNING or "
            "a SELECT instead.")

    def visit_try_cast(self, c: Any, **kw: Any) -> str:
        if self.dialect.supports_try_cast:
            return f"TRY_CAST({self.process(c.clause, **_inner(kw))} AS {self.cast_type(c.type_)})"
        raise exc.UnsupportedCompilationError(
            f"Compiling try_cast() for {self.dialect.name} failed: TRY_CAST (a cast giving "
            "NULL when the value does not convert) is not available on this database. Use "
            "cast(), or test the value with a CASE expression first.")

    def visit_case(self, c: Any, **kw: Any) -> str:
        kw = _inner(kw)
        parts = ["CASE"]
        if c.value is not None:
            parts.append(self.process(c.value, **kw))
        for cond, result in c.whens:
            parts.append(f"WHEN {self.process(cond, **kw)} THEN {self.process(result, **kw)}")
        if c.else_ is not None:
            parts.append(f"ELSE {self.process(c.else_, **kw)}")
        parts.append("END")
        return " ".join(parts)

    def visit_over(self, o: Any, **kw: Any) -> str:
        kw = _inner(kw)
        spec = []
        if o.partition_by:
            spec.append("PARTITION BY " + ", ".join(self.process(p, **kw)
                                                    for p in o.partition_by))
        if o.order_by:
            spec.append("ORDER BY " + ", ".join(self.process(p, **kw) for p in o.order_by))
        for word, rng in (("ROWS", o.rows), ("RANGE", o.range_)):
            if rng is not None:
                spec.append(f"{word} BETWEEN {_frame(rng[0], True)} AND {_frame(rng[1], False)}")
        return f"{self.process(o.element, **kw)} OVER ({' '.join(spec)})"

    def visit_extract(self, e: Any, **kw: Any) -> str:
        return f"EXTRACT({e.field} FROM {self.process(e.expr, **_inner(kw))})"


def _slot_value(slot: Slot, extracted: Sequence[Any]) -> Any:
    name, idx, const, default, _ = slot
    if idx >= 0:
        return extracted[idx]
    if default is not None:
        return default(None)
    return None if const is _NO_VALUE else const


def _frame(value: Any, lower: bool) -> str:
    if value is None:
        return "UNBOUNDED PRECEDING" if lower else "UNBOUNDED FOLLOWING"
    if value == 0:
        return "CURRENT ROW"
    return f"{abs(int(value))} {'PRECEDING' if value < 0 else 'FOLLOWING'}"


def _inner(kw: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for nested expressions (drop the column-clause context)."""
    if "within_columns" in kw or "toplevel" in kw:
        kw = {k: v for k, v in kw.items() if k not in ("within_columns", "toplevel")}
    return kw


__all__ = ["Compiled", "SQLCompiler", "REQUIRED", "ClauseElement", "quoted_name"]
