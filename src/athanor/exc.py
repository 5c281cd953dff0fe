"""Every exception athanor raises.

The tree::

    AthanorError
    ├── ArgumentError                  bad arguments to a public function or constructor
    │   ├── NoSuchModuleError          unknown dialect or driver name in a URL
    │   ├── ObjectNotExecutableError   execute() got a string or a non-statement
    │   ├── NoForeignKeysError         relationship() found no foreign key to join on
    │   └── AmbiguousForeignKeysError  relationship() found more than one
    │   └── UnmappedError (orm)        an object or class that is not mapped
    ├── CompileError                   a statement cannot be rendered as SQL
    │   └── UnsupportedCompilationError
    ├── InvalidRequestError            the call is valid but not in the current state
    │   ├── NoResultFound / MultipleResultsFound
    │   ├── ResourceClosedError
    │   ├── NoSuchColumnError          a Row has no such key
    │   ├── NoReferenceError: NoReferencedTableError / NoReferencedColumnError
    │   ├── NoSuchTableError           reflection found no such table
    │   ├── UnboundExecutionError      nothing to execute on (no bind)
    │   └── NoInspectionAvailable      inspect() got an object it cannot inspect
    │   └── PendingRollbackError       a transaction failed and needs rollback()
    ├── TimeoutError                   the pool had no connection within pool_timeout
    ├── DisconnectionError             a connection was found dead (pre-ping, checkout)
    └── StatementError                 running a statement failed (statement, params, orig)
        └── DBAPIError                 wraps every driver error; PEP 249's own names below
        ├── InterfaceError
        └── DatabaseError
            ├── DataError
            ├── OperationalError
            ├── IntegrityError
            ├── InternalError
            ├── ProgrammingError
            └── NotSupportedError

ORM errors (``DetachedInstanceError``, ``ObjectDeletedError``, ``StaleDataError``,
``FlushError``, ``N1QueryError``...) live in :mod:`athanor.orm.exc` and derive from these.

Driver errors are wrapped with :meth:`DBAPIError.wrap`, which picks the athanor class with the
same PEP 249 name as the driver's exception class, keeps the driver exception as ``.orig``
and chains it as ``__cause__``. Messages never include parameter values: they may be secrets.
"""

from __future__ import annotations

from typing import Any


class AthanorError(Exception):
    """Base class of every error athanor raises."""


class ArgumentError(AthanorError):
    """A public function or constructor got an argument it cannot use.

    Raised at call time, before any I/O: unknown keyword options, wrong types, values out of
    range. The message names the argument, the value and the accepted choices.
    """


class NoSuchModuleError(ArgumentError):
    """A URL names a dialect or driver athanor does not know, or one not installed."""


class ObjectNotExecutableError(ArgumentError):
    """``Connection.execute()`` got something that is not a statement, e.g. a plain string."""

    def __init__(self, target: Any) -> None:
        self.target = target
        shown = repr(target) if len(repr(target)) <= 200 else repr(target)[:200] + "..."
        hint = (
            " Wrap SQL text in text('...'), or run it with exec_driver_sql()."
            if isinstance(target, str)
            else " Pass a statement such as select(), insert(), text() or a DDL element."
        )
        super().__init__(f"Executing failed: {shown} is not an executable object.{hint}")


class CompileError(AthanorError):
    """A statement cannot be rendered as SQL for the target dialect."""


class UnsupportedCompilationError(CompileError):
    """The target dialect has no rendering for one construct in the statement."""


class InvalidRequestError(AthanorError):
    """The call is well formed but not allowed in the object's current state."""


class NoResultFound(InvalidRequestError):
    """``one()`` or ``scalar_one()`` found no row."""


class MultipleResultsFound(InvalidRequestError):
    """``one()``, ``one_or_none()`` or ``scalar_one()`` found more than one row."""


class ResourceClosedError(InvalidRequestError):
    """A result, connection, transaction or session was used after it was closed."""


class NoSuchColumnError(InvalidRequestError, KeyError):
    """A ``Row`` or result has no column with the requested name or position."""


class NoReferenceError(InvalidRequestError):
    """A ``ForeignKey`` cannot be resolved (base of the two errors below)."""


class NoReferencedTableError(NoReferenceError):
    """A ``ForeignKey`` names a table that is not in its ``MetaData``."""

    def __init__(self, message: str, table_name: str) -> None:
        super().__init__(message)
        self.table_name = table_name


class NoReferencedColumnError(NoReferenceError):
    """A ``ForeignKey`` names a column its target table does not have."""

    def __init__(self, message: str, table_name: str, column_name: str) -> None:
        super().__init__(message)
        self.table_name = table_name
        self.column_name = column_name


class NoSuchTableError(InvalidRequestError):
    """Reflection (``Table(..., autoload_with=...)``, ``Inspector``) found no such table."""


class UnboundExecutionError(InvalidRequestError):
    """Something was to be executed but has no Engine or Connection to run on."""


class NoInspectionAvailable(InvalidRequestError):
    """``inspect()`` was given an object it has no inspection for."""


class NoForeignKeysError(ArgumentError):
    """A relationship() found no foreign key between its two tables to join on."""


class AmbiguousForeignKeysError(ArgumentError):
    """A relationship() found several foreign keys between its tables; name one with
    ``foreign_keys=``."""


class PendingRollbackError(InvalidRequestError):
    """A transaction failed part-way and must be rolled back before the object is used again."""


class TimeoutError(AthanorError):  # noqa: A001 - mirrors SQLAlchemy's public name
    """The pool could not hand out a connection within ``pool_timeout`` seconds.

    The message says the pool's size and overflow, how many connections are checked out and
    where each of them was checked out (file:line and age), so a leak is found in one look.
    """


class DisconnectionError(AthanorError):
    """A pooled connection was found dead (by pre-ping or a checkout hook).

    The pool discards it and tries a fresh connection before giving up.
    """


class StatementError(AthanorError):
    """Running a statement failed; ``statement``, ``params`` and ``orig`` say which and why.

    Raised directly when the failure happened before the driver was called (e.g. a bound
    value could not be converted); driver errors are its subclass :class:`DBAPIError`.
    """

    statement: str | None = None
    params: Any = None
    orig: BaseException | None = None

    def __init__(self, message: str, statement: str | None = None, params: Any = None,
                 orig: BaseException | None = None) -> None:
        super().__init__(message)
        self.statement = statement
        self.params = params
        self.orig = orig

    def __reduce__(self) -> Any:
        return (type(self), (str(self), self.statement, None, self.orig))


class DBAPIError(StatementError):
    """A database driver raised an error while running a statement or managing a connection.

    ``statement`` and ``params`` are what was sent, ``orig`` is the driver's own exception
    (also chained as ``__cause__``), and ``connection_invalidated`` tells whether the error
    showed the connection to be dead (it was then discarded by the pool).
    """

    code: str | None = None

    def __init__(
        self,
        statement: str | None,
        params: Any,
        orig: BaseException | None,
        *,
        connection_invalidated: bool = False,
        message: str | None = None,
    ) -> None:
        self.statement = statement
        self.params = params
        self.orig = orig
        self.connection_invalidated = connection_invalidated
        text = message if message is not None else self._describe()
        AthanorError.__init__(self, text)

    def _describe(self) -> str:
        orig = self.orig
        head = f"({type(orig).__module__}.{type(orig).__name__}) {orig}" if orig else "driver error"
        if self.statement is not None:
            stmt = self.statement if len(self.statement) <= 2000 else self.statement[:2000] + " ..."
            head += f"\n[SQL: {stmt}]"
        return head

    def __reduce__(self) -> Any:
        return (type(self), (self.statement, None, self.orig))

    @classmethod
    def wrap(
        cls,
        statement: str | None,
        params: Any,
        orig: BaseException,
        *,
        connection_invalidated: bool = False,
    ) -> DBAPIError:
        """Build the athanor error matching the driver exception's PEP 249 class.

        The driver class's MRO is searched for a PEP 249 name (``IntegrityError``,
        ``OperationalError``...); the first match picks the athanor class.
        """
        if isinstance(orig, DBAPIError):
            return orig
        target: type[DBAPIError] = DBAPIError
        for klass in type(orig).__mro__:
            found = _PEP249_BY_NAME.get(klass.__name__)
            if found is not None:
                target = found
                break
        return target(statement, params, orig, connection_invalidated=connection_invalidated)


class InterfaceError(DBAPIError):
    """The driver's interface, not the database, failed (PEP 249 ``InterfaceError``)."""


class DatabaseError(DBAPIError):
    """The database reported an error (PEP 249 ``DatabaseError``)."""


class DataError(DatabaseError):
    """A value does not fit its column: too long, out of range, bad format (PEP 249)."""


class OperationalError(DatabaseError):
    """The database could not carry out the operation: lost connection, lock timeout,
    missing database, disk full (PEP 249 ``OperationalError``)."""


class IntegrityError(DatabaseError):
    """A constraint was violated: primary key, unique, foreign key, not null, check
    (PEP 249 ``IntegrityError``)."""


class InternalError(DatabaseError):
    """The database hit an internal error, e.g. a cursor no longer valid (PEP 249)."""


class ProgrammingError(DatabaseError):
    """The SQL is wrong: syntax error, missing table or column, wrong number of
    parameters (PEP 249 ``ProgrammingError``)."""


class NotSupportedError(DatabaseError):
    """The database does not support the requested operation (PEP 249)."""


_PEP249_BY_NAME: dict[str, type[DBAPIError]] = {
    "InterfaceError": InterfaceError,
    "DatabaseError": DatabaseError,
    "DataError": DataError,
    "OperationalError": OperationalError,
    "IntegrityError": IntegrityError,
    "InternalError": InternalError,
    "ProgrammingError": ProgrammingError,
    "NotSupportedError": NotSupportedError,
}


class AthanorWarning(Warning):
    """Base class of athanor's warnings."""


class AthanorDeprecationWarning(AthanorWarning, DeprecationWarning):
    """A feature kept for compatibility that will go away."""


class AthanorPendingDeprecationWarning(AthanorWarning, PendingDeprecationWarning):
    """A feature that will be deprecated later."""


class LegacyAPIWarning(AthanorDeprecationWarning):
    """A 1.x-style API used where a 2.0-style one exists (SQLAlchemy's name)."""


class MovedIn20Warning(AthanorDeprecationWarning):
    """An API that moved in SQLAlchemy 2.0 was used at its old place."""


Base20DeprecationWarning = AthanorDeprecationWarning


# Errors SQLAlchemy code names in ``except`` clauses; athanor raises the ones it has a use for.
class DuplicateColumnError(ArgumentError):
    """A Table was given two columns of the same name."""


class ConstraintColumnNotFoundError(ArgumentError):
    """A constraint names a column its table does not have."""


class AmbiguousColumnError(InvalidRequestError):
    """A column name matches more than one column of a result or selectable."""


class IllegalStateChangeError(InvalidRequestError):
    """A method was called in a state that does not allow it (e.g. a Session method from
    inside one of its own events)."""


class UnreflectableTableError(InvalidRequestError):
    """Reflection found a table it cannot describe."""


class CircularDependencyError(AthanorError):
    """Tables or rows depend on each other in a cycle that no ordering can satisfy."""


class IdentifierError(AthanorError):
    """An identifier is longer than the database allows."""


class InvalidatePoolError(DisconnectionError):
    """A disconnect that invalidates every pooled connection, not just one."""


class MissingGreenlet(InvalidRequestError):
    """SQLAlchemy's "async driver used outside greenlet_spawn"; athanor's asyncio support
    needs no greenlets, so it never raises this: it exists for ``except`` clauses."""


class AwaitRequired(InvalidRequestError):
    """SQLAlchemy's "an async driver needs await"; kept for ``except`` clauses."""


# SQLAlchemy-compatible aliases so ``except exc.SQLAlchemyError`` ports with a rename only.
SQLAlchemyError = AthanorError
SAWarning = AthanorWarning
SADeprecationWarning = AthanorDeprecationWarning
SAPendingDeprecationWarning = AthanorPendingDeprecationWarning

__all__ = [
    "AthanorError",
    "SQLAlchemyError",
    "ArgumentError",
    "NoSuchModuleError",
    "ObjectNotExecutableError",
    "CompileError",
    "UnsupportedCompilationError",
    "InvalidRequestError",
    "NoResultFound",
    "MultipleResultsFound",
    "ResourceClosedError",
    "NoSuchColumnError",
    "NoReferenceError",
    "NoReferencedTableError",
    "NoSuchTableError",
    "UnboundExecutionError",
    "NoInspectionAvailable",
    "NoForeignKeysError",
    "AmbiguousForeignKeysError",
    "StatementError",
    "NoReferencedColumnError",
    "PendingRollbackError",
    "TimeoutError",
    "DisconnectionError",
    "DBAPIError",
    "InterfaceError",
    "DatabaseError",
    "DataError",
    "OperationalError",
    "IntegrityError",
    "InternalError",
    "ProgrammingError",
    "NotSupportedError",
    "AthanorWarning",
    "SAWarning",
    "AthanorDeprecationWarning",
    "AthanorPendingDeprecationWarning",
    "AmbiguousColumnError",
    "AwaitRequired",
    "Base20DeprecationWarning",
    "CircularDependencyError",
    "ConstraintColumnNotFoundError",
    "DuplicateColumnError",
    "IdentifierError",
    "IllegalStateChangeError",
    "InvalidatePoolError",
    "LegacyAPIWarning",
    "MissingGreenlet",
    "MovedIn20Warning",
    "SADeprecationWarning",
    "SAPendingDeprecationWarning",
    "UnreflectableTableError",
]
