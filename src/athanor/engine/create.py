"""create_engine(): validate options, load the dialect and driver, build the pool.

Every option is checked before any I/O. An unknown option raises ArgumentError naming it,
the closest known name, and the full list; a bad value names the accepted values. The
dialect class comes from the static table in :mod:`athanor.dialects.registry`; the driver
is imported only here, so a missing driver fails at ``create_engine`` with the package to
install.

Pool choice: SQLite in-memory databases get a :class:`LockedStaticPool` (one shared
connection, so every connection of the engine sees the same data); everything else a
:class:`QueuePool` unless ``poolclass`` / ``pool`` / ``creator`` say otherwise.

The pool's creator wraps driver errors in athanor's PEP 249 classes, runs the dialect's
per-connection setup (``on_connect``, the engine's isolation level) and, once per engine,
``dialect.initialize`` (server version, defaults).
"""

from __future__ import annotations

import difflib
import logging
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from athanor import exc
from athanor.dialects.base import Dialect
from athanor.dialects.registry import load_dialect
from athanor.engine.base import Engine
from athanor.pool import LockedStaticPool, Pool, QueuePool, SingletonThreadPool
from athanor.url import URL, make_url

_QUEUE_ONLY = ("pool_size", "max_overflow", "pool_use_lifo")
#: Options accepted for SQLAlchemy compatibility that change nothing here.
_IGNORED = frozenset({
    "future", "enable_from_linting", "label_length", "insertmanyvalues_page_size",
    "use_insertmanyvalues", "pool_logging_name", "implicit_returning", "plugins",
})
_OPTIONS = frozenset({
    "echo", "echo_pool", "pool_size", "max_overflow", "pool_timeout", "pool_recycle",
    "pool_pre_ping", "pool_reset_on_return", "pool_use_lifo", "poolclass", "pool", "creator",
    "connect_args", "isolation_level", "execution_options", "hide_parameters", "logging_name",
    "query_cache_size", "json_serializer", "json_deserializer", "module",
}) | _IGNORED


def create_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an :class:`Engine` for ``url`` (see the module docstring for the options)."""
    _check_option_names(kwargs)
    url = make_url(url)
    opts = _validated(kwargs)
    dialect_cls = load_dialect(url.drivername)
    dbapi = opts["module"] or dialect_cls.import_dbapi()
    dialect_kw: dict[str, Any] = {"dbapi": dbapi}
    if opts["isolation_level"] is not None:
        dialect_kw["isolation_level"] = opts["isolation_level"]
    if opts["query_cache_size"] is not None:
        dialect_kw["query_cache_size"] = opts["query_cache_size"]
    dialect = dialect_cls(**dialect_kw)
    if opts["isolation_level"] is not None:
        dialect.isolation_level = dialect.check_isolation_level(opts["isolation_level"])
    for name in ("json_serializer", "json_deserializer"):
        if opts[name] is not None:
            setattr(dialect, f"_{name}", opts[name])
    cargs, cparams = dialect.create_connect_args(url)
    cparams.update(opts["connect_args"] or {})
    creator = _connection_factory(dialect, cargs, cparams, opts["creator"])
    pool = opts["pool"] or _build_pool(url, dialect, creator, opts)
    configure_echo(opts["echo"])
    configure_echo(opts["echo_pool"], "athanor.pool")
    return Engine(
        pool, dialect, url,
        echo=opts["echo"], hide_parameters=bool(opts["hide_parameters"]),
        logging_name=opts["logging_name"], execution_options=opts["execution_options"],
    )


#: create_pool_from_url() takes the pool's own keyword names too.
_POOL_NAMES = {"echo": "echo_pool", "timeout": "pool_timeout", "recycle": "pool_recycle",
               "reset_on_return": "pool_reset_on_return", "pre_ping": "pool_pre_ping",
               "use_lifo": "pool_use_lifo", "logging_name": "pool_logging_name"}


def create_pool_from_url(url: str | URL, **kwargs: Any) -> Pool:
    """The pool ``create_engine(url, **kwargs)`` would build (no connection is made); the
    options may also be spelled as the pool's own (``pre_ping=True``, ``recycle=3600``)."""
    options = {_POOL_NAMES.get(k, k): v for k, v in kwargs.items()}
    return create_engine(url, **options).pool


def _check_option_names(kwargs: Mapping[str, Any]) -> None:
    unknown = sorted(set(kwargs) - _OPTIONS)
    if not unknown:
        return
    name = unknown[0]
    close = difflib.get_close_matches(name, sorted(_OPTIONS - _IGNORED), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise exc.ArgumentError(
        f"create_engine() failed: unknown option {name!r}.{hint} Accepted options: "
        f"{', '.join(sorted(_OPTIONS - _IGNORED))}."
    )


def _bad(name: str, value: Any, accepted: str) -> exc.ArgumentError:
    return exc.ArgumentError(
        f"create_engine() failed: {name}={value!r} is not accepted. Use {accepted}."
    )


def _int(kwargs: Mapping[str, Any], name: str, default: int, minimum: int) -> int:
    value = kwargs.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(name, value, f"an integer >= {minimum}")
    return value


def _number(kwargs: Mapping[str, Any], name: str, default: float, minimum: float) -> float:
    value = kwargs.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise _bad(name, value, f"a number >= {minimum:g}")
    return float(value)


def _choice(kwargs: Mapping[str, Any], name: str, default: Any, choices: tuple[Any, ...]) -> Any:
    value = kwargs.get(name, default)
    if not any(value is c or (type(value) is type(c) and value == c) for c in choices):
        raise _bad(name, value, "one of " + ", ".join(repr(c) for c in choices))
    return value


def _validated(kw: Mapping[str, Any]) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "echo": _choice(kw, "echo", False, (True, False, None, "debug")),
        "echo_pool": _choice(kw, "echo_pool", False, (True, False, None, "debug")),
        "pool_size": _int(kw, "pool_size", 5, 0),
        "max_overflow": _int(kw, "max_overflow", 10, -1),
        "pool_timeout": _number(kw, "pool_timeout", 30.0, 0),
        "pool_recycle": _number(kw, "pool_recycle", -1, -1),
        "pool_pre_ping": _choice(kw, "pool_pre_ping", False, (True, False)),
        "pool_reset_on_return": _choice(
            kw, "pool_reset_on_return", "rollback", ("rollback", True, False, None)
        ),
        "pool_use_lifo": _choice(kw, "pool_use_lifo", False, (True, False)),
        "hide_parameters": _choice(kw, "hide_parameters", False, (True, False)),
        "isolation_level": kw.get("isolation_level"),
        "query_cache_size": kw.get("query_cache_size"),
        "logging_name": kw.get("logging_name"),
        "json_serializer": kw.get("json_serializer"),
        "json_deserializer": kw.get("json_deserializer"),
        "module": kw.get("module"),
        "explicit": set(kw),
    }
    for name, kind in (("connect_args", Mapping), ("execution_options", Mapping)):
        value = kw.get(name)
        if value is not None and not isinstance(value, kind):
            raise _bad(name, value, "a dict")
        opts[name] = dict(value) if value else {}
    opts.update(_pool_objects(kw))
    if kw.get("future", True) is not True:
        raise _bad("future", kw["future"], "True (athanor always has 2.x behaviour)")
    return opts


def _pool_objects(kw: Mapping[str, Any]) -> dict[str, Any]:
    poolclass, pool, creator = kw.get("poolclass"), kw.get("pool"), kw.get("creator")
    if poolclass is not None and not (isinstance(poolclass, type) and issubclass(poolclass, Pool)):
        raise _bad("poolclass", poolclass, "a Pool subclass (QueuePool, NullPool, StaticPool)")
    if pool is not None and not isinstance(pool, Pool):
        raise _bad("pool", pool, "a Pool instance")
    if creator is not None and not callable(creator):
        raise _bad("creator", creator, "a callable returning a driver connection")
    return {"poolclass": poolclass, "pool": pool, "creator": creator}


def _connection_factory(
    dialect: Dialect, cargs: list[Any], cparams: dict[str, Any], user_creator: Any
) -> Callable[[], Any]:
    """The pool's creator: connect, set the connection up, wrap driver errors."""
    dbapi_error = dialect.dbapi.Error  # type: ignore[union-attr]
    init_lock = threading.Lock()

    def connect() -> Any:
        try:
            if user_creator is not None:
                conn = user_creator()
            else:
                conn = dialect.connect(*cargs, **cparams)
        except dbapi_error as err:
            raise exc.DBAPIError.wrap(None, None, err) from err
        try:
            dialect.on_connect(conn)
            if not dialect._initialized:
                with init_lock:
                    if not dialect._initialized:
                        dialect.initialize(conn)
                        dialect._initialized = True
            if dialect.isolation_level is not None:
                dialect.set_isolation_level(conn, dialect.isolation_level)
        except BaseException as err:
            try:
                conn.close()
            except Exception:  # already unusable
                pass
            if isinstance(err, dbapi_error):
                raise exc.DBAPIError.wrap(None, None, err) from err
            raise
        return conn

    return connect


def _build_pool(
    url: URL, dialect: Dialect, creator: Callable[[], Any], opts: dict[str, Any]
) -> Pool:
    poolclass = opts["poolclass"]
    explicit = opts["explicit"]
    memory = dialect.name == "sqlite" and dialect.is_memory_url(url)  # type: ignore[attr-defined]
    if poolclass is None:
        poolclass = LockedStaticPool if memory else QueuePool
    common: dict[str, Any] = {
        "recycle": opts["pool_recycle"],
        "pre_ping": opts["pool_pre_ping"],
        "reset_on_return": opts["pool_reset_on_return"],
        "dialect": dialect,
        "echo": opts["echo_pool"],
        "logging_name": opts["logging_name"],
        "timeout": opts["pool_timeout"],
    }
    if issubclass(poolclass, QueuePool):
        return poolclass(
            creator, pool_size=opts["pool_size"], max_overflow=opts["max_overflow"],
            use_lifo=opts["pool_use_lifo"], **common,
        )
    if issubclass(poolclass, SingletonThreadPool):  # pool_size: how many threads it serves
        return poolclass(creator, pool_size=opts["pool_size"], **common)
    given = [name for name in _QUEUE_ONLY if name in explicit]
    if given and opts["poolclass"] is not None:
        raise exc.ArgumentError(
            f"create_engine() failed: {', '.join(given)} only apply to QueuePool, not "
            f"{poolclass.__name__}. Drop them or use poolclass=QueuePool."
        )
    return poolclass(creator, **common)


def configure_echo(echo: Any, logger_name: str = "athanor.engine") -> None:
    """Make ``echo=True`` / ``"debug"`` visible: add a stdout handler once.

    The logger's level is left alone: an echo engine logs whatever the level (see
    ``athanor.engine.base._emit``), other engines only when logging is configured to.
    """
    if echo in (None, False):
        return
    logger = logging.getLogger(logger_name)
    if not any(getattr(h, "_athanor_echo", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        handler._athanor_echo = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


_BOOL_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_CONFIG_TYPES: dict[str, Callable[[str], Any]] = {
    "pool_size": int,
    "max_overflow": int,
    "pool_timeout": float,
    "pool_recycle": float,
    "query_cache_size": int,
}


def _config_bool(name: str, text: str) -> Any:
    lowered = text.strip().lower()
    if name in ("echo", "echo_pool") and lowered == "debug":
        return "debug"
    if lowered not in _BOOL_WORDS:
        raise _bad(name, text, "true or false")
    return _BOOL_WORDS[lowered]


def engine_from_config(
    configuration: Mapping[str, Any], prefix: str = "sqlalchemy.", **kwargs: Any
) -> Engine:
    """``create_engine`` from a flat config dict (``sqlalchemy.url``, ``sqlalchemy.echo``...)."""
    url, options = config_options(configuration, prefix, kwargs, "engine_from_config()")
    return create_engine(url, **options)


def config_options(configuration: Mapping[str, Any], prefix: str, kwargs: Mapping[str, Any],
                   what: str) -> tuple[Any, dict[str, Any]]:
    """``(url, create_engine options)`` from a flat config dict: the ``prefix``-ed keys, with
    string values of known options converted (numbers, booleans)."""
    options = {k[len(prefix):]: v for k, v in configuration.items() if k.startswith(prefix)}
    options.update(kwargs)
    if "url" not in options:
        raise exc.ArgumentError(
            f"{what} failed: no {prefix + 'url'!r} key in the configuration. "
            "Add the database URL under that key."
        )
    url = options.pop("url")
    for name, value in list(options.items()):
        if not isinstance(value, str):
            continue
        if name in _CONFIG_TYPES:
            options[name] = _CONFIG_TYPES[name](value)
        elif name in ("echo", "echo_pool", "pool_pre_ping", "hide_parameters", "pool_use_lifo"):
            options[name] = _config_bool(name, value)
    return url, options


__all__ = ["config_options", "configure_echo", "create_engine", "engine_from_config"]
