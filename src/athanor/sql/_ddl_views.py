"""How ``CreateView`` / ``DropView`` / ``CreateSchema`` / ``DropSchema`` (defined in
:mod:`athanor.sql.ddl`) are rendered: a mixin of :class:`~athanor.sql.ddl.DDLCompiler`.

A view's SELECT is rendered with its values inline (DDL takes no parameters). The view
options each database knows are data on its DDL compiler (``view_options``); asking for one
it lacks (``OR REPLACE`` on SQLite, a materialized view on MariaDB) is a
:class:`~athanor.exc.CompileError` naming the option, not SQL the server would refuse.
A view is created and dropped by executing these elements; ``MetaData.create_all`` does not
manage views.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from athanor import exc

if TYPE_CHECKING:
    from athanor.sql.ddl import CreateSchema, CreateView, DropSchema, DropView


class ViewDDLCompilerMixin:
    """Renders the elements above; mixed into :class:`~athanor.sql.ddl.DDLCompiler`."""

    #: The CREATE VIEW options this database has.
    view_options: ClassVar[frozenset[str]] = frozenset(
        {"or_replace", "temporary", "materialized"})
    #: Does DROP SCHEMA take CASCADE?
    drop_schema_cascade: ClassVar[bool] = True
    #: Is there CREATE SCHEMA at all?
    creates_schemas: ClassVar[bool] = True

    dialect: Any
    quote: Any
    format_name: Any

    def _check_view_options(self, element: Any, *names: str) -> None:
        for name in names:
            if getattr(element, name) and name not in self.view_options:
                raise exc.CompileError(
                    f"Compiling {type(element).__name__}({name}=True) for {self.dialect.name} "
                    f"failed: the database has no such view option. Leave {name} out.")

    def visit_create_view(self, create: CreateView, **kw: Any) -> str:
        self._check_view_options(create, "or_replace", "temporary", "materialized")
        words = ["CREATE"]
        if create.or_replace:
            words.append("OR REPLACE")
        if create.temporary:
            words.append("TEMPORARY")
        if create.materialized:
            words.append("MATERIALIZED")
        select_sql = self.dialect.compile_standalone(
            create.element, compile_kwargs={"literal_binds": True}).string
        name = self.format_name(create.name, create.schema)
        return f"{' '.join(words)} VIEW {name} AS {select_sql}"

    def visit_drop_view(self, drop: DropView, **kw: Any) -> str:
        self._check_view_options(drop, "materialized")
        head = "DROP MATERIALIZED VIEW " if drop.materialized else "DROP VIEW "
        if drop.if_exists:
            head += "IF EXISTS "
        table = drop.element
        return head + self.format_name(table.name, getattr(table, "schema", None))

    def _check_schemas(self, element: Any) -> None:
        if not self.creates_schemas:
            raise exc.CompileError(
                f"Compiling {type(element).__name__}({element.element!r}) for "
                f"{self.dialect.name} failed: the database has no schemas. Use a separate "
                "database file (ATTACH DATABASE) instead.")

    def visit_create_schema(self, create: CreateSchema, **kw: Any) -> str:
        self._check_schemas(create)
        head = "CREATE SCHEMA IF NOT EXISTS " if create.if_not_exists else "CREATE SCHEMA "
        return head + self.quote(create.element)

    def visit_drop_schema(self, drop: DropSchema, **kw: Any) -> str:
        self._check_schemas(drop)
        text = "DROP SCHEMA IF EXISTS " if drop.if_exists else "DROP SCHEMA "
        text += self.quote(drop.element)
        if drop.cascade:
            if not self.drop_schema_cascade:
                raise exc.CompileError(
                    f"Compiling DropSchema({drop.element!r}, cascade=True) for "
                    f"{self.dialect.name} failed: DROP SCHEMA drops everything in it here "
                    "already. Leave cascade out.")
            text += " CASCADE"
        return text


__all__ = ["ViewDDLCompilerMixin"]
