"""Scoped sessions: one Session per scope, handed out by a registry.

A *scope* is whatever unit of work should share one Session: by default the current asyncio
task when code runs inside one, else the current thread, so a single module-level registry
is right under a threaded WSGI server, under an event loop, and in plain scripts. A custom
``scopefunc`` returning any hashable key replaces that default.

Design
------
* Registries map a scope key to an object in one plain dict. For the default scope the key is
  ``id()`` of a live object that stands for the scope: the running ``asyncio.Task``, or a
  small token kept in a ``threading.local``. Ids of live objects are unique, and every entry
  is dropped *before* its scope object can die (task done-callback, ``weakref.finalize`` on
  the thread token), so a key is never reused while its entry exists.
* Nothing leaks: when a task finishes or a thread ends, its entry is popped and the session
  closed (uncommitted work rolled back, connection returned to the pool). Callbacks hold the
  registry only weakly, so a dropped registry does not linger either. Custom-scopefunc
  registries cannot know when a scope ends: as in SQLAlchemy, the caller calls ``remove()``.
* A registry-made session gets one optional attribute, ``_scope_remove``: a callable that
  forgets the session in the scope it was made for and closes it. ``Session.remove()`` calls
  it; the Session class knows nothing else about scoping.
* ``scoped_session`` proxies the Session API at class level (methods and properties), built
  once per name when the class is created; a proxy call is one registry lookup and a
  ``getattr``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import warnings
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, Generic, TypeVar

from athanor.exc import ArgumentError, AthanorWarning, InvalidRequestError

__all__ = ["QueryPropertyDescriptor", "ScopedRegistry", "ThreadTaskRegistry", "scoped_session"]

_T = TypeVar("_T")
_S = TypeVar("_S")

_log = logging.getLogger("athanor.orm.scoping")
_get_running_loop = asyncio._get_running_loop
_current_task = asyncio.current_task


class ScopedRegistry(Generic[_T]):
    """One object per key returned by ``scopefunc()``; entries live until removed.

    ``createfunc()`` makes the object on first use in a scope. ``on_store(key, obj)`` runs
    whenever an object is stored (made or ``set``); scoped_session uses it to give sessions
    their ``remove()`` hook.
    """

    def __init__(
        self,
        createfunc: Callable[[], _T],
        scopefunc: Callable[[], Hashable],
        *,
        on_store: Callable[[Hashable, _T], None] | None = None,
    ) -> None:
        self.createfunc = createfunc
        self.scopefunc = scopefunc
        self.on_store = on_store
        self._objects: dict[Hashable, _T] = {}
        self._ref = weakref.ref(self)

    def scope_key(self) -> Hashable:
        """The key of the current scope."""
        return self.scopefunc()

    def __call__(self) -> _T:
        key = self.scope_key()
        try:
            return self._objects[key]
        except KeyError:
            return self._store(key, self.createfunc())

    def has(self) -> bool:
        """True if the current scope holds an object."""
        return self.scope_key() in self._objects

    def set(self, obj: _T) -> None:
        """Make ``obj`` the current scope's object (replacing any other, which is kept open)."""
        self._store(self.scope_key(), obj)

    def clear(self) -> _T | None:
        """Forget the current scope's object and return it (None if there was none)."""
        return self._objects.pop(self.scope_key(), None)

    def discard(self, key: Hashable, obj: _T) -> bool:
        """Forget ``obj`` if it is still the object of scope ``key``; True if it was."""
        if self._objects.get(key) is obj:
            del self._objects[key]
            return True
        return False

    def clear_all(self) -> list[_T]:
        """Forget the objects of every scope and return them."""
        removed = []
        for key, obj in list(self._objects.items()):
            if self.discard(key, obj):
                removed.append(obj)
        return removed

    def __len__(self) -> int:
        """How many scopes hold an object right now."""
        return len(self._objects)

    def values(self) -> list[_T]:
        """A snapshot of every scope's object."""
        return list(self._objects.values())

    def _store(self, key: Hashable, obj: _T) -> _T:
        self._objects[key] = obj
        if self.on_store is not None:
            self.on_store(key, obj)
        self._watch(key)
        return obj

    def _watch(self, key: Hashable) -> None:
        """Arrange for ``key``'s entry to go when its scope ends (nothing to do here)."""


class _ThreadToken:
    """Stands for one thread in one registry; it dies with the thread's local storage."""

    __slots__ = ("__weakref__",)


class ThreadTaskRegistry(ScopedRegistry[_T]):
    """The default scope: the running asyncio task, else the current thread.

    When the scope ends (the task is done, the thread has exited) the entry is dropped and
    ``on_scope_end(obj)`` runs, so short-lived threads and tasks leave nothing behind.
    """

    def __init__(
        self,
        createfunc: Callable[[], _T],
        *,
        on_store: Callable[[Hashable, _T], None] | None = None,
        on_scope_end: Callable[[_T], None] | None = None,
    ) -> None:
        super().__init__(createfunc, self.scope_key, on_store=on_store)
        self.on_scope_end = on_scope_end
        self._local = threading.local()
        self._watched_tasks: set[int] = set()

    def scope_key(self) -> int:
        loop = _get_running_loop()
        if loop is not None:
            task = _current_task(loop)
            if task is not None:
                return id(task)
        try:
            key: int = self._local.key
        except AttributeError:
            key = self._new_thread_scope()
        return key

    def _new_thread_scope(self) -> int:
        token = _ThreadToken()
        key = id(token)
        fin = weakref.finalize(token, _scope_ended, self._ref, key)
        fin.atexit = False
        self._local.token = token
        self._local.key = key
        return key

    def _watch(self, key: Hashable) -> None:
        if key in self._watched_tasks or getattr(self._local, "key", None) == key:
            return
        loop = _get_running_loop()
        task = _current_task(loop) if loop is not None else None
        if task is not None and id(task) == key:
            self._watched_tasks.add(key)
            task.add_done_callback(partial(_task_done, self._ref, key))

    def _end_scope(self, key: Hashable) -> None:
        self._watched_tasks.discard(key)  # type: ignore[arg-type]
        obj = self._objects.pop(key, None)
        if obj is None or self.on_scope_end is None:
            return
        try:
            self.on_scope_end(obj)
        except Exception:  # a dying scope has nobody to raise to: report and go on
            _log.warning("closing the session of a finished scope failed", exc_info=True)


def _scope_ended(ref: weakref.ref[Any], key: Hashable) -> None:
    registry = ref()
    if registry is not None:
        registry._end_scope(key)


def _task_done(ref: weakref.ref[Any], key: Hashable, task: asyncio.Future[Any]) -> None:
    _scope_ended(ref, key)


def _close_session(session: Any) -> None:
    session.close()


def _remove_from_scope(
    ref: weakref.ref[ScopedRegistry[Any]], key: Hashable, session: Any
) -> None:
    """The ``_scope_remove`` hook: forget ``session`` in its own scope, then close it."""
    registry = ref()
    if registry is not None:
        registry.discard(key, session)
    session.close()


def _proxy_method(name: str) -> Callable[..., Any]:
    def proxy(self: scoped_session[Any], *args: Any, **kw: Any) -> Any:
        return getattr(self.registry(), name)(*args, **kw)

    proxy.__name__ = name
    proxy.__qualname__ = f"scoped_session.{name}"
    proxy.__doc__ = f"Call ``Session.{name}()`` on the current scope's Session."
    return proxy


def _proxy_property(name: str) -> property:
    def fget(self: scoped_session[Any]) -> Any:
        return getattr(self.registry(), name)

    def fset(self: scoped_session[Any], value: Any) -> None:
        setattr(self.registry(), name, value)

    return property(fget, fset, doc=f"``Session.{name}`` of the current scope's Session.")


class QueryPropertyDescriptor:
    """``Base.query = Session.query_property()``: ``Model.query`` is a Query of that model.

    Reading it on a class that is not mapped (the declarative base itself) gives None, so
    introspection of the base class does not fail.
    """

    def __init__(self, scoped: scoped_session[Any], query_cls: Any) -> None:
        self.scoped = scoped
        self.query_cls = query_cls

    def __get__(self, instance: object, owner: type) -> Any:
        if not _is_mapped(owner):
            return None
        session = self.scoped.registry()
        if self.query_cls is not None:
            return self.query_cls(owner, session=session)
        return session.query(owner)


def _is_mapped(cls: type) -> bool:
    """True if ``cls`` is mapped: declarative puts its mapper in the class's own __dict__."""
    return "__mapper__" in vars(cls)


class scoped_session(Generic[_S]):  # noqa: N801 - SQLAlchemy's public name
    """A registry of Sessions, one per scope, that also acts like the scope's Session.

    ``Session = scoped_session(sessionmaker(bind=engine))``; then ``Session()`` is the
    current scope's session (made on first use), ``Session.add(obj)`` & co. act on it,
    ``Session.remove()`` closes and forgets it. The default scope is the running asyncio task,
    else the current thread; ``scopefunc`` (a callable returning a hashable) replaces it.
    """

    session_factory: Any
    registry: ScopedRegistry[_S]

    def __init__(
        self,
        session_factory: Callable[..., _S],
        scopefunc: Callable[[], Hashable] | None = None,
    ) -> None:
        if not callable(session_factory):
            raise ArgumentError(
                "scoped_session() failed: session_factory must be callable, got "
                f"{type(session_factory).__name__!r}. Pass a sessionmaker(...)."
            )
        if scopefunc is not None and not callable(scopefunc):
            raise ArgumentError(
                "scoped_session() failed: scopefunc must be a callable returning a "
                f"hashable key, got {type(scopefunc).__name__!r}."
            )
        self.session_factory = session_factory
        if scopefunc is None:
            self.registry = ThreadTaskRegistry(
                session_factory, on_store=self._on_store, on_scope_end=_close_session
            )
        else:
            self.registry = ScopedRegistry(session_factory, scopefunc, on_store=self._on_store)

    def _on_store(self, key: Hashable, session: _S) -> None:
        try:
            hook = partial(_remove_from_scope, self.registry._ref, key)
            setattr(session, "_scope_remove", hook)  # noqa: B010 - attribute on any object
        except AttributeError:  # a factory whose objects take no attributes: no hook
            pass

    def __call__(self, **kw: Any) -> _S:
        """The current scope's Session; keyword arguments make a new one (none may exist)."""
        if not kw:
            return self.registry()
        if self.registry.has():
            raise InvalidRequestError(
                "scoped_session(**kw) failed: this scope already has a Session, so the "
                "arguments cannot apply. Call remove() first, or call without arguments."
            )
        session = self.session_factory(**kw)
        self.registry.set(session)
        return session

    def has(self) -> bool:
        """True if the current scope already holds a Session."""
        return self.registry.has()

    def remove(self) -> None:
        """Close the current scope's Session (rolling back what is uncommitted) and forget it.

        The next ``Session()`` in this scope makes a fresh one. Does nothing if the scope has
        no Session.
        """
        session = self.registry.clear()
        if session is not None:
            session.close()  # type: ignore[attr-defined]

    def configure(self, **kw: Any) -> None:
        """Reconfigure the session factory (``sessionmaker.configure``) for new Sessions."""
        if self.registry.has():
            warnings.warn(
                "scoped_session.configure() called while this scope already has a Session: "
                "the new settings apply only to Sessions made from now on. Call remove() "
                "first to apply them here.",
                AthanorWarning,
                stacklevel=2,
            )
        configure = getattr(self.session_factory, "configure", None)
        if configure is None:
            raise ArgumentError(
                "scoped_session.configure() failed: the session factory "
                f"{type(self.session_factory).__name__!r} has no configure(). Use a "
                "sessionmaker(...) as the factory."
            )
        configure(**kw)

    @contextmanager
    def scope(self) -> Iterator[_S]:
        """A fresh Session for the ``with`` block, closed and forgotten at its end.

        A Session the scope held before the block is set aside and restored afterwards, so
        blocks nest. For scripts, jobs and tests::

            with Session.scope() as session:
                session.add(obj)
                session.commit()
        """
        outer = self.registry.clear()
        try:
            yield self.registry()
        finally:
            self.remove()
            if outer is not None:
                self.registry.set(outer)

    def query_property(self, query_cls: Any = None) -> Any:
        """A class attribute giving a Query of the class against the scope's Session."""
        return QueryPropertyDescriptor(self, query_cls)

    # -- class-level Session API (on the Session class, not an instance) ------------------

    def _session_class(self) -> Any:
        return getattr(self.session_factory, "class_", None) or type(self.registry())

    def object_session(self, instance: object) -> Any:
        """The Session ``instance`` belongs to, or None."""
        return self._session_class().object_session(instance)

    def identity_key(self, *args: Any, **kw: Any) -> Any:
        """``Session.identity_key(...)``: the identity-map key for a class and primary key."""
        return self._session_class().identity_key(*args, **kw)

    def close_all(self) -> None:
        """Close every Session this registry holds, in every scope, and forget them."""
        for session in self.registry.clear_all():
            session.close()  # type: ignore[attr-defined]

    def __contains__(self, instance: object) -> bool:
        return instance in self.registry()  # type: ignore[operator]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.registry())  # type: ignore[call-overload]

    def __repr__(self) -> str:
        return f"<scoped_session of {self.session_factory!r}>"

    # The Session's methods, proxied to the current scope's Session.
    add = _proxy_method("add")
    add_all = _proxy_method("add_all")
    begin = _proxy_method("begin")
    begin_nested = _proxy_method("begin_nested")
    close = _proxy_method("close")
    reset = _proxy_method("reset")
    commit = _proxy_method("commit")
    connection = _proxy_method("connection")
    delete = _proxy_method("delete")
    execute = _proxy_method("execute")
    expire = _proxy_method("expire")
    expire_all = _proxy_method("expire_all")
    expunge = _proxy_method("expunge")
    expunge_all = _proxy_method("expunge_all")
    flush = _proxy_method("flush")
    get = _proxy_method("get")
    get_one = _proxy_method("get_one")
    get_bind = _proxy_method("get_bind")
    is_modified = _proxy_method("is_modified")
    bulk_save_objects = _proxy_method("bulk_save_objects")
    bulk_insert_mappings = _proxy_method("bulk_insert_mappings")
    bulk_update_mappings = _proxy_method("bulk_update_mappings")
    merge = _proxy_method("merge")
    query = _proxy_method("query")
    refresh = _proxy_method("refresh")
    rollback = _proxy_method("rollback")
    scalar = _proxy_method("scalar")
    scalars = _proxy_method("scalars")
    in_transaction = _proxy_method("in_transaction")
    in_nested_transaction = _proxy_method("in_nested_transaction")
    get_transaction = _proxy_method("get_transaction")
    get_nested_transaction = _proxy_method("get_nested_transaction")
    enable_relationship_loading = _proxy_method("enable_relationship_loading")

    # The Session's attributes and properties.
    bind = _proxy_property("bind")
    autoflush = _proxy_property("autoflush")
    dirty = _proxy_property("dirty")
    deleted = _proxy_property("deleted")
    new = _proxy_property("new")
    identity_map = _proxy_property("identity_map")
    is_active = _proxy_property("is_active")
    no_autoflush = _proxy_property("no_autoflush")
    info = _proxy_property("info")
