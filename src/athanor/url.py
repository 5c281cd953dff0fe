"""Database URLs: parsing, rendering, and an immutable value object.

A URL has the shape ``dialect[+driver]://user:password@host:port/database?key=value``.
:func:`make_url` parses a string into a :class:`URL`; nothing here imports a driver.

Design points:

* :class:`URL` is an immutable ``NamedTuple``: hashable, comparable, cheap. ``set()`` and the
  ``update_query_*`` methods return new URLs.
* The user name and password are percent-decoded when parsed and percent-encoded when
  rendered, so ``p%40ss`` round-trips as the password ``p@ss``. The authority part is split on
  its *last* ``@``, so an unescaped ``@`` in a password still parses.
* ``repr()``, ``str()`` and ``render_as_string()`` hide the password as ``***`` unless
  ``render_as_string(hide_password=False)`` is asked for; engines log and show only the
  hidden form.
* SQLite spells files as ``sqlite:///relative.db`` (three slashes), ``sqlite:////abs.db``
  (four: the database part keeps its leading ``/``) and memory as ``sqlite://`` or
  ``sqlite:///:memory:``.
* The query string becomes a read-only mapping; a key given twice maps to a tuple of values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, unquote

from athanor import exc

QueryValue = str | tuple[str, ...]

_SCHEME = re.compile(r"^(?P<name>[A-Za-z0-9_]+(?:\+[A-Za-z0-9_]+)?)://(?P<rest>.*)$", re.S)
_USER_SAFE = ""  # every reserved character is escaped in user names and passwords


class _FrozenQuery(dict):  # type: ignore[type-arg]
    """A read-only, hashable dict for ``URL.query`` (keeps the URL tuple hashable)."""

    __slots__ = ()

    def _readonly(self, *args: Any, **kw: Any) -> Any:
        raise TypeError("URL.query is read-only; use URL.update_query_dict() for a changed copy.")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))

    def __repr__(self) -> str:
        return f"immutabledict({dict.__repr__(self)})"


_EMPTY_QUERY: Mapping[str, QueryValue] = _FrozenQuery()


def _freeze_query(query: Mapping[str, Any] | None) -> Mapping[str, QueryValue]:
    if not query:
        return _EMPTY_QUERY
    frozen: dict[str, QueryValue] = {}
    for key, value in query.items():
        if not isinstance(key, str):
            raise exc.ArgumentError(
                f"Building a URL failed: query keys must be strings, got {key!r}."
            )
        if isinstance(value, (list, tuple)):
            frozen[key] = tuple(str(v) for v in value)
        else:
            frozen[key] = str(value)
    return _FrozenQuery(frozen)


def _check_port(port: Any) -> int | None:
    if port is None:
        return None
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise exc.ArgumentError(
            f"Building a URL failed: port must be an integer from 0 to 65535, got {port!r}."
        )
    return port


class URL(NamedTuple):
    """A parsed database URL. Build with :func:`make_url` or :meth:`URL.create`."""

    drivername: str
    username: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None
    query: Mapping[str, QueryValue]

    @classmethod
    def create(
        cls,
        drivername: str,
        username: str | None = None,
        password: str | None = None,
        host: str | None = None,
        port: int | None = None,
        database: str | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> URL:
        """Build a URL from its parts; the values are taken as they are (no escaping needed)."""
        if not isinstance(drivername, str) or not drivername:
            raise exc.ArgumentError(
                f"Building a URL failed: drivername must be a non-empty string such as "
                f"'postgresql+psycopg', got {drivername!r}."
            )
        return cls(
            drivername, username, password, host, _check_port(port), database,
            _freeze_query(query),
        )

    # --- derived names ---------------------------------------------------------------
    def get_backend_name(self) -> str:
        """The dialect half of the driver name: ``postgresql`` for ``postgresql+psycopg``."""
        return self.drivername.partition("+")[0]

    def get_driver_name(self) -> str:
        """The driver half, or the backend's default driver name when none is given."""
        backend, _, driver = self.drivername.partition("+")
        if driver:
            return driver
        return _DEFAULT_DRIVERS.get(backend, "")

    @property
    def normalized_query(self) -> Mapping[str, tuple[str, ...]]:
        """The query with every value as a tuple."""
        return {k: (v if isinstance(v, tuple) else (v,)) for k, v in self.query.items()}

    # --- copies --------------------------------------------------------------------
    def set(
        self,
        drivername: str | None = None,
        username: str | None = None,
        password: str | None = None,
        host: str | None = None,
        port: int | None = None,
        database: str | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> URL:
        """A copy with the given parts replaced (None keeps the current value)."""
        changes: dict[str, Any] = {}
        if drivername is not None:
            changes["drivername"] = drivername
        if username is not None:
            changes["username"] = username
        if password is not None:
            changes["password"] = password
        if host is not None:
            changes["host"] = host
        if port is not None:
            changes["port"] = _check_port(port)
        if database is not None:
            changes["database"] = database
        if query is not None:
            changes["query"] = _freeze_query(query)
        return self._replace(**changes)

    def update_query_dict(self, query_parameters: Mapping[str, Any], append: bool = False) -> URL:
        """A copy with these query keys set (or, with ``append``, added to existing ones)."""
        merged: dict[str, Any] = dict(self.query)
        for key, value in query_parameters.items():
            if append and key in merged:
                old = merged[key]
                old_t = old if isinstance(old, tuple) else (old,)
                new_t = tuple(value) if isinstance(value, (list, tuple)) else (value,)
                merged[key] = old_t + new_t
            else:
                merged[key] = value
        return self._replace(query=_freeze_query(merged))

    def update_query_pairs(
        self, key_value_pairs: Iterable[tuple[str, str]], append: bool = False
    ) -> URL:
        """A copy with these ``(key, value)`` pairs set in the query."""
        grouped: dict[str, Any] = {}
        for key, value in key_value_pairs:
            if key in grouped:
                old = grouped[key]
                grouped[key] = (old if isinstance(old, tuple) else (old,)) + (value,)
            else:
                grouped[key] = value
        return self.update_query_dict(grouped, append=append)

    def update_query_string(self, query_string: str, append: bool = False) -> URL:
        """A copy with the keys of ``"a=1&b=2"`` set in the query."""
        return self.update_query_pairs(parse_qsl(query_string, keep_blank_values=True), append)

    def difference_update_query(self, names: Iterable[str]) -> URL:
        """A copy without these query keys."""
        drop = set(names)
        return self._replace(
            query=_freeze_query({k: v for k, v in self.query.items() if k not in drop})
        )

    def translate_connect_args(
        self, names: Sequence[str] | None = None, **kw: str
    ) -> dict[str, Any]:
        """The non-empty parts as a dict, keys renamed by ``kw`` (e.g. ``database="dbname"``)."""
        out: dict[str, Any] = {}
        renames = dict(kw)
        for field in ("host", "database", "username", "password", "port"):
            value = getattr(self, field)
            name = renames.get(field, field)
            if value is not None and value != "" and name:
                out[name] = value
        return out

    # --- rendering -----------------------------------------------------------------
    def render_as_string(self, hide_password: bool = True) -> str:
        """The URL as a string, escaped so that :func:`make_url` parses it back."""
        parts = [self.drivername, "://"]
        if self.username is not None:
            parts.append(quote(self.username, safe=_USER_SAFE))
            if self.password is not None:
                parts.append(":")
                parts.append("***" if hide_password else quote(self.password, safe=_USER_SAFE))
            parts.append("@")
        if self.host is not None:
            parts.append(f"[{self.host}]" if ":" in self.host else self.host)
        if self.port is not None:
            parts.append(f":{self.port}")
        if self.database is not None:
            parts.append("/")
            parts.append(self.database)
        if self.query:
            pairs = []
            for key in sorted(self.query):
                value = self.query[key]
                for v in value if isinstance(value, tuple) else (value,):
                    pairs.append(f"{quote(key, safe='')}={quote(v, safe='/:')}")
            parts.append("?" + "&".join(pairs))
        return "".join(parts)

    def __str__(self) -> str:
        return self.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return self.render_as_string(hide_password=True)

    def __copy__(self) -> URL:
        return self

    def __deepcopy__(self, memo: Any) -> URL:
        return self


_DEFAULT_DRIVERS = {
    "postgresql": "psycopg",
    "mysql": "pymysql",
    "mariadb": "pymysql",
    "sqlite": "pysqlite",
}


def make_url(name_or_url: str | URL) -> URL:
    """Parse ``dialect[+driver]://user:password@host:port/database?query`` into a :class:`URL`.

    A :class:`URL` is returned unchanged.
    """
    if isinstance(name_or_url, URL):
        return name_or_url
    if not isinstance(name_or_url, str):
        raise exc.ArgumentError(
            f"Parsing a database URL failed: expected a string or URL, got "
            f"{type(name_or_url).__name__}. Pass e.g. 'postgresql://user@host/db'."
        )
    return _parse(name_or_url)


def _parse(text: str) -> URL:
    match = _SCHEME.match(text.strip())
    if match is None:
        raise exc.ArgumentError(
            "Parsing a database URL failed: it does not start with 'dialect[+driver]://'. "
            "Write it as e.g. 'postgresql://user:password@host:5432/dbname' or "
            "'sqlite:///file.db'."
        )
    name, rest = match.group("name"), match.group("rest")
    rest, _, query_text = rest.partition("?")
    slash = rest.find("/")
    authority, database = (rest, None) if slash < 0 else (rest[:slash], rest[slash + 1 :])
    username = password = host = None
    port: int | None = None
    if authority:
        userinfo, at, hostport = authority.rpartition("@")
        if at:
            user, colon, pw = userinfo.partition(":")
            username = unquote(user)
            password = unquote(pw) if colon else None
        host, port = _split_host_port(hostport, text)
    query = _parse_query(query_text)
    return URL(name, username, password, host, port, database, query)


def _split_host_port(hostport: str, text: str) -> tuple[str | None, int | None]:
    if not hostport:
        return None, None
    if hostport.startswith("["):
        end = hostport.find("]")
        host, tail = hostport[1:end], hostport[end + 1 :]
        port_text = tail[1:] if tail.startswith(":") else ""
    else:
        host, _, port_text = hostport.partition(":")
    if not port_text:
        return host or None, None
    if not port_text.isdigit() or int(port_text) > 65535:
        raise exc.ArgumentError(
            f"Parsing a database URL failed: the port {port_text!r} is not a number from 0 to "
            "65535. Fix the ':port' part of the URL."
        )
    return host or None, int(port_text)


def _parse_query(query_text: str) -> Mapping[str, QueryValue]:
    if not query_text:
        return _EMPTY_QUERY
    grouped: dict[str, Any] = {}
    for key, value in parse_qsl(query_text, keep_blank_values=True):
        if key in grouped:
            old = grouped[key]
            grouped[key] = (old if isinstance(old, tuple) else (old,)) + (value,)
        else:
            grouped[key] = value
    return _freeze_query(grouped)


__all__ = ["URL", "make_url"]
