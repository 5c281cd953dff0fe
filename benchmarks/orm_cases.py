"""Each workload written once against SQLAlchemy 2.x's public API, run for two modules.

``make_kit("sqlalchemy", db)`` or ``make_kit("athanor", db)`` imports the module, builds an
engine and declares the ``Item`` model with that module's own ``declarative_base`` and
``Column``; the case functions only ever touch ``kit.sa`` (the top-level module: ``select``,
``insert``...), ``kit.orm`` (its ``orm`` package), ``kit.Session`` and the models. Nothing here
is specific to either library: if a case fails for athanor, athanor's API differs from
SQLAlchemy's there (or is not built yet), and the run reports the error.

The schema already exists (``backends.create_schema``): the models only map it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from benchmarks.backends import Database, apply_pragmas, groups_for, item_rows, name_of, pks
from benchmarks.env import Env


@dataclass
class Kit:
    """One ORM module's engine, session factory and models for one run."""

    name: str
    sa: ModuleType
    orm: ModuleType
    engine: Any = None
    Session: Any = None
    models: dict[str, type] = field(default_factory=dict)

    @property
    def Item(self) -> Any:  # noqa: N802 - it is a class
        return self.models["Item"]


def load_kit(name: str) -> Kit:
    """Import ``name`` and ``name.orm`` (``sqlalchemy`` or ``athanor``)."""
    return Kit(name, importlib.import_module(name), importlib.import_module(name + ".orm"))


def start_engine(kit: Kit, db: Database) -> None:
    """Create the engine and the ``sessionmaker`` bound to it."""
    kit.engine = kit.sa.create_engine(db.url_for(kit.name))
    if kit.name == "sqlalchemy" and db.sqlite_pragmas:
        _sqlalchemy_pragmas(kit, db)
    kit.Session = kit.orm.sessionmaker(bind=kit.engine)


def _sqlalchemy_pragmas(kit: Kit, db: Database) -> None:
    """SQLAlchemy leaves SQLite's defaults alone: give it athanor's (setup, not workload)."""
    from sqlalchemy import event

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        apply_pragmas(db, dbapi_connection)

    event.listen(kit.engine, "connect", on_connect)


def check_settings(kit: Kit, db: Database, conn: Any) -> None:
    """Refuse a run whose pooled SQLite connection has other settings than the raw one."""
    if db.kind != "sqlite":
        return
    if db.in_memory:
        db.check_settings(conn)
        return
    pooled = kit.engine.raw_connection()
    try:
        db.check_settings(pooled)
    finally:
        pooled.close()


def engine_dbapi_connection(kit: Kit) -> Any:
    """The engine's own DB-API connection (the only way into an in-memory SQLite database)."""
    return kit.engine.raw_connection()


def declare_items(kit: Kit) -> None:
    """Declare ``Item`` (table ``item``) on a fresh declarative base of the kit's module."""
    sa = kit.sa
    base: Any = kit.orm.declarative_base()

    class Item(base):
        __tablename__ = "item"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(50), nullable=False)
        value = sa.Column(sa.Integer, nullable=False)
        grp = sa.Column(sa.Integer, nullable=False)
        note = sa.Column(sa.String(100))

    kit.models["Item"] = Item


def warm_up(kit: Kit) -> None:
    """Configure mappers and open the pool's first connection, outside the clock."""
    configure = getattr(kit.orm, "configure_mappers", None)
    if configure is not None:
        configure()
    with kit.engine.connect():
        pass


def stop_engine(kit: Kit) -> None:
    if kit.engine is not None:
        kit.engine.dispose()


def _check_count(env: Env, n: int) -> None:
    env.check(env.count("item") == n, f"{n} rows in item")


def insert_add(env: Env) -> None:
    """(a) ``n`` objects, one ``add`` each, one commit."""
    kit = env.kit
    Item = kit.Item
    rows = item_rows(env.n)
    with kit.Session() as s, env.timed():
        for name, value, grp, note in rows:
            s.add(Item(name=name, value=value, grp=grp, note=note))
        s.commit()
    _check_count(env, env.n)


def insert_add_all(env: Env) -> None:
    """(b) ``n`` objects through one ``add_all``, one commit."""
    kit = env.kit
    Item = kit.Item
    rows = item_rows(env.n)
    with kit.Session() as s, env.timed():
        s.add_all([Item(name=n, value=v, grp=g, note=t) for n, v, g, t in rows])
        s.commit()
    _check_count(env, env.n)


def bulk_insert(env: Env) -> None:
    """(b2) ``session.execute(insert(Item), dicts)`` with ``n`` dicts, one commit."""
    kit = env.kit
    dicts = [{"name": n, "value": v, "grp": g, "note": t} for n, v, g, t in item_rows(env.n)]
    with kit.Session() as s, env.timed():
        s.execute(kit.sa.insert(kit.Item), dicts)
        s.commit()
    _check_count(env, env.n)


def insert_commit_each(env: Env) -> None:
    """(c) ``n`` objects, each added and committed on its own."""
    kit = env.kit
    Item = kit.Item
    rows = item_rows(env.n)
    with kit.Session() as s, env.timed():
        for name, value, grp, note in rows:
            s.add(Item(name=name, value=value, grp=grp, note=note))
            s.commit()
    _check_count(env, env.n)


def load_all(env: Env) -> None:
    """(d) every row as an object: ``session.scalars(select(Item)).all()``."""
    kit = env.kit
    with kit.Session() as s:
        with env.timed():
            objs = s.scalars(kit.sa.select(kit.Item)).all()
        env.check(len(objs) == env.rows, f"{env.rows} objects")
        env.check(isinstance(objs[-1].name, str), "a loaded name")


def get_by_pk(env: Env) -> None:
    """(e) ``n`` ``session.get`` calls on a fresh session (each one a query)."""
    kit = env.kit
    Item = kit.Item
    ids = pks(env.rows, env.n)
    obj = None
    with kit.Session() as s:
        with env.timed():
            for pk in ids:
                obj = s.get(Item, pk)
        env.check(obj is not None and obj.id == ids[-1], "the last object got by its key")


def get_cached(env: Env) -> None:
    """(f) ``n`` ``session.get`` calls on objects already in the identity map."""
    kit = env.kit
    Item = kit.Item
    ids = pks(env.rows, env.n)
    obj = None
    with kit.Session() as s:
        held = s.scalars(kit.sa.select(Item)).all()
        with env.timed():
            for pk in ids:
                obj = s.get(Item, pk)
        env.check(len(held) == env.rows, f"{env.rows} objects held")
        env.check(obj is not None and obj.id == ids[-1], "the last object got by its key")


def filter_many(env: Env) -> None:
    """(g) ``n`` queries ``select(Item).where(Item.grp == k)``, about 200 objects each."""
    kit = env.kit
    Item = kit.Item
    select = kit.sa.select
    groups = groups_for(env.rows)
    keys = [i % groups for i in range(env.n)]
    objs: list = []
    with kit.Session() as s:
        with env.timed():
            for k in keys:
                objs = s.scalars(select(Item).where(Item.grp == k)).all()
        env.check(len(objs) == env.rows // groups, "one group's objects from the last query")


def filter_one(env: Env) -> None:
    """(g2) ``n`` ``session.query(Item).filter_by(name=...).one()``."""
    kit = env.kit
    Item = kit.Item
    names = [name_of(pk) for pk in pks(env.rows, env.n)]
    obj = None
    with kit.Session() as s:
        with env.timed():
            for name in names:
                obj = s.query(Item).filter_by(name=name).one()
        env.check(obj is not None and obj.name == names[-1], "the last object found by name")


def update_loaded(env: Env) -> None:
    """(h) one attribute changed on every loaded object, then one commit."""
    kit = env.kit
    before = env.scalar("SELECT sum(value) FROM item")
    with kit.Session() as s:
        objs = s.scalars(kit.sa.select(kit.Item)).all()
        with env.timed():
            for obj in objs:
                obj.value = obj.value + 1
            s.commit()
    after = env.scalar("SELECT sum(value) FROM item")
    env.check(after - before == env.rows, f"sum(value) up by {env.rows}")


def update_query(env: Env) -> None:
    """(h2) ``n`` ``query(Item).filter(Item.grp == k).update({...})``, one commit."""
    kit = env.kit
    Item = kit.Item
    groups = groups_for(env.rows)
    keys = [i % groups for i in range(env.n)]
    before = env.scalar("SELECT sum(value) FROM item")
    with kit.Session() as s, env.timed():
        for k in keys:
            s.query(Item).filter(Item.grp == k).update({Item.value: Item.value + 1})
        s.commit()
    after = env.scalar("SELECT sum(value) FROM item")
    expected = env.n * (env.rows // groups)
    env.check(after - before == expected, f"sum(value) up by {expected}")


def delete_loaded(env: Env) -> None:
    """(i) every loaded object deleted with ``session.delete``, then one commit."""
    kit = env.kit
    with kit.Session() as s:
        objs = s.scalars(kit.sa.select(kit.Item)).all()
        with env.timed():
            for obj in objs:
                s.delete(obj)
            s.commit()
    _check_count(env, 0)
