"""More SQLAlchemy-style programs (Core, reflection, results, engines, types, events,
dialect inserts, scoped sessions, asyncio), run on athanor or SQLAlchemy.

Same contract as ``programs.py``; what SQLAlchemy 2.x returned on each backend is recorded in
``expected_more.py`` (regenerate with ``python tests/compat/record_more.py``).
"""
import asyncio
import datetime
import decimal
import enum
import importlib
import json
import threading
from typing import Any, Optional


def m(sa: Any, name: str) -> Any:
    return importlib.import_module(f"{sa.__name__}.{name}")


def _tables(sa: Any, url: str) -> Any:
    engine = sa.create_engine(url)
    md = sa.MetaData()
    users = sa.Table(
        "users", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, unique=True),
        sa.Column("age", sa.Integer),
        sa.Column("dept", sa.String(20), index=True),
    )
    posts = sa.Table(
        "posts", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("title", sa.String(100)),
        sa.Column("score", sa.Float, default=0.0),
    )
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(users.insert(), [
            {"name": "ann", "age": 31, "dept": "eng"},
            {"name": "bob", "age": 25, "dept": "eng"},
            {"name": "cat", "age": 40, "dept": "ops"},
            {"name": "dan", "age": None, "dept": "ops"},
        ])
        conn.execute(posts.insert(), [
            {"user_id": 1, "title": "p1", "score": 1.5},
            {"user_id": 1, "title": "p2", "score": 3.0},
            {"user_id": 2, "title": "p3", "score": 2.0},
            {"user_id": 3, "title": "p4", "score": 5.0},
        ])
    return engine, md, users, posts


def text_binds(sa: Any, orm: Any, url: str) -> Any:
    engine, md, users, posts = _tables(sa, url)
    out: list[Any] = []
    with engine.connect() as conn:
        r = conn.execute(sa.text("SELECT name FROM users WHERE age > :a ORDER BY name"),
                         {"a": 26})
        out.append(r.scalars().all())
        stmt = sa.text("SELECT id, name FROM users WHERE name = :n").bindparams(n="bob")
        out.append(conn.execute(stmt).one()._asdict())
        stmt = sa.text("SELECT id FROM users WHERE name IN :names").bindparams(
            sa.bindparam("names", expanding=True))
        out.append(sorted(conn.execute(stmt, {"names": ["ann", "cat"]}).scalars()))
        stmt = sa.text("SELECT id, name FROM users ORDER BY id").columns(
            sa.column("id", sa.Integer), sa.column("name", sa.String))
        out.append([r.name for r in conn.execute(stmt)])
        sub = sa.text("SELECT id, name FROM users").columns(users.c.id, users.c.name).subquery()
        out.append(conn.execute(sa.select(sub.c.name).where(sub.c.id == 2)).scalar())
        out.append(conn.scalar(sa.text("SELECT count(*) FROM posts")))
        stmt = sa.text("SELECT :x AS v").bindparams(sa.bindparam("x", type_=sa.Integer))
        out.append(conn.execute(stmt, {"x": 5}).scalar())
        conn.execute(sa.text("UPDATE users SET age = :age WHERE id = :id"),
                     [{"age": 1, "id": 1}, {"age": 2, "id": 2}])
        out.append(conn.execute(sa.text("SELECT age FROM users WHERE id < 3 ORDER BY id"))
                   .scalars().all())
        conn.rollback()
        out.append(conn.execute(sa.text("SELECT age FROM users WHERE id = 1")).scalar_one())
        rows = conn.execute(sa.text("SELECT id, name FROM users ORDER BY id")).mappings().all()
        out.append([dict(r) for r in rows][:2])
        out.append(conn.exec_driver_sql("SELECT count(*) FROM users").scalar())
    engine.dispose()
    return out


def reflection(sa: Any, orm: Any, url: str) -> Any:
    engine, md, users, posts = _tables(sa, url)
    out: list[Any] = []
    md2 = sa.MetaData()
    u = sa.Table("users", md2, autoload_with=engine)
    out.append([c.name for c in u.columns])
    out.append([c.name for c in u.primary_key])
    out.append(type(u.c.name.type).__name__ in ("VARCHAR", "String"))
    out.append(u.c.name.type.length)
    out.append(u.c.name.nullable)
    p = sa.Table("posts", md2, autoload_with=engine)
    out.append(sorted(fk.target_fullname for fk in p.foreign_keys))
    out.append(sorted(md2.tables))
    with engine.connect() as conn:
        out.append(conn.execute(sa.select(u.c.name).where(u.c.id == 3)).scalar())
        j = u.join(p)
        out.append(conn.execute(sa.select(sa.func.count()).select_from(j)).scalar())
    md3 = sa.MetaData()
    md3.reflect(bind=engine)
    out.append(sorted(md3.tables))
    out.append(sorted(md3.tables["posts"].c.keys()))
    md4 = sa.MetaData()
    md4.reflect(engine, only=["users"])
    out.append(sorted(md4.tables))
    insp = sa.inspect(engine)
    out.append(sorted(insp.get_table_names()))
    cols = insp.get_columns("users")
    out.append([(c["name"], c["nullable"]) for c in cols])
    out.append(sorted(cols[0].keys() & {"name", "type", "nullable", "default", "autoincrement"}))
    out.append(insp.get_pk_constraint("users")["constrained_columns"])
    fks = insp.get_foreign_keys("posts")
    out.append([(f["constrained_columns"], f["referred_table"], f["referred_columns"])
                for f in fks])
    idx = insp.get_indexes("users")
    out.append(sorted((tuple(i["column_names"]), bool(i["unique"])) for i in idx
                      if i["column_names"] == ["dept"]))
    uqs = insp.get_unique_constraints("users")
    out.append([u["column_names"] for u in uqs])
    out.append(insp.has_table("posts"))
    out.append(insp.get_view_names())
    with engine.connect() as conn:
        out.append(sorted(sa.inspect(conn).get_table_names()))
    engine.dispose()
    return out


def expressions(sa: Any, orm: Any, url: str) -> Any:
    engine, md, users, posts = _tables(sa, url)
    out: list[Any] = []
    u, p = users, posts
    with engine.connect() as conn:
        def q(stmt: Any) -> Any:
            return [tuple(r) for r in conn.execute(stmt)]
        out.append(q(sa.select(u.c.dept, sa.func.count(u.c.id).label("n"),
                               sa.func.max(u.c.age)).group_by(u.c.dept).order_by(u.c.dept)))
        out.append(q(sa.select(u.c.name).where(sa.and_(u.c.age > 20, sa.or_(
            u.c.dept == "ops", sa.not_(u.c.name.like("a%"))))).order_by(u.c.name)))
        out.append(q(sa.select(u.c.name).where(u.c.age.between(25, 35)).order_by(u.c.id)))
        out.append(q(sa.select(u.c.name).where(sa.between(u.c.age, 30, 41)).order_by(u.c.id)))
        out.append(q(sa.select(u.c.name, sa.case((u.c.age < 30, "young"),
                                                  (u.c.age < 35, "mid"), else_="old")
                               .label("bucket")).order_by(u.c.id)))
        out.append(q(sa.select(sa.case({"eng": 1, "ops": 2}, value=u.c.dept)).order_by(u.c.id)))
        out.append(q(sa.select(sa.cast(u.c.age, sa.String)).where(u.c.id == 1)))
        out.append(q(sa.select(sa.literal("x"), sa.literal(3, sa.Integer)).limit(1)))
        out.append(q(sa.select(sa.func.coalesce(u.c.age, -1)).order_by(u.c.id)))
        out.append(q(sa.select(sa.func.lower(sa.func.upper(u.c.name))).where(u.c.id == 2)))
        out.append(q(sa.select(u.c.id).where(sa.tuple_(u.c.id, u.c.dept).in_(
            [(1, "eng"), (3, "ops"), (2, "ops")])).order_by(u.c.id)))
        out.append(q(sa.select(u.c.name, sa.func.row_number().over(
            partition_by=u.c.dept, order_by=u.c.age.desc()).label("rn"))
            .order_by(u.c.dept, sa.text("rn"))))
        out.append(q(sa.select(p.c.title, sa.func.sum(p.c.score).over(
            order_by=p.c.id).label("running")).order_by(p.c.id)))
        out.append(q(sa.select(sa.func.rank().over(order_by=u.c.dept), u.c.id)
                     .order_by(u.c.id)))
        out.append(q(sa.select(sa.type_coerce(u.c.age, sa.String).label("s"))
                     .where(u.c.id == 1)))
        out.append(q(sa.select(u.c.name).where(u.c.name.in_(["ann", "dan"])).order_by(u.c.id)))
        out.append(q(sa.select(u.c.name).where(u.c.name.not_in(["ann", "dan"]))
                     .order_by(u.c.id)))
        out.append(q(sa.select(u.c.name).where(u.c.age.is_(None))))
        out.append(q(sa.select(u.c.name).where(u.c.age.is_not(None)).order_by(u.c.id)))
        out.append(q(sa.select(u.c.name).where(u.c.name.startswith("b"))))
        out.append(q(sa.select(u.c.name).where(u.c.name.contains("a")).order_by(u.c.id)))
        out.append(q(sa.select(u.c.name).where(u.c.name.endswith("n")).order_by(u.c.id)))
        out.append(q(sa.select(u.c.name).where(u.c.name.ilike("A%"))))
        out.append(q(sa.select((u.c.age + 1).label("a1"), (u.c.name + "!").label("n"))
                     .where(u.c.id == 1)))
        out.append(q(sa.select(sa.func.count(sa.distinct(u.c.dept)))))
        out.append(q(sa.select(u.c.dept).distinct().order_by(u.c.dept)))
        subq = sa.select(p.c.user_id, sa.func.count().label("cnt")).group_by(
            p.c.user_id).subquery()
        out.append(q(sa.select(u.c.name, subq.c.cnt).join(subq, u.c.id == subq.c.user_id)
                     .order_by(u.c.id)))
        cte = sa.select(u.c.id, u.c.name).where(u.c.dept == "eng").cte("eng")
        out.append(q(sa.select(cte.c.name).order_by(cte.c.id)))
        scal = sa.select(sa.func.count(p.c.id)).where(p.c.user_id == u.c.id)\
            .scalar_subquery()
        out.append(q(sa.select(u.c.name, scal.label("np")).order_by(u.c.id)))
        out.append(q(sa.select(u.c.name).where(sa.exists().where(p.c.user_id == u.c.id))
                     .order_by(u.c.id)))
        out.append(q(sa.select(u.c.name).where(~sa.exists().where(p.c.user_id == u.c.id))))
        out.append(q(sa.select(u.c.dept, sa.func.avg(u.c.age).label("a")).group_by(u.c.dept)
                     .having(sa.func.count() > 1).order_by(u.c.dept))[:1][0][0])
        if not url.startswith("mysql"):
            out.append(q(sa.select(u.c.name).order_by(u.c.age.desc().nulls_last()).limit(2)
                         .offset(1)))
        out.append(q(sa.union(sa.select(u.c.id).where(u.c.id < 2),
                              sa.select(u.c.id).where(u.c.id > 3)).order_by("id")))
        out.append(q(sa.select(u.c.name).where(u.c.id == sa.bindparam("uid")).params(uid=3))
                   if hasattr(sa.select(u.c.id), "params") else None)
        out.append(conn.execute(sa.select(u.c.name).where(u.c.id == sa.bindparam("uid")),
                                {"uid": 4}).scalar())
        out.append(q(sa.select(sa.func.length(u.c.name)).where(u.c.id == 1)))
        rounded = sa.func.round(sa.cast(2.567, sa.Numeric(10, 3)), 1)
        out.append(q(sa.select(sa.func.abs(-3), rounded < 3)))
        out.append(q(sa.select(u.c.id).where(u.c.id.in_(sa.select(p.c.user_id)))
                     .order_by(u.c.id)))
        out.append(q(sa.select(sa.func.max(u.c.id).label("m")).select_from(u)))
        lbl = (u.c.age * 2).label("dbl")
        out.append(q(sa.select(lbl).where(u.c.id == 2)))
        out.append(q(sa.select(u.c.name).filter(u.c.dept == "eng").filter_by(age=25)))
        out.append(q(sa.select(u.c.id).where(u.c.age.in_([])).order_by(u.c.id)))
        out.append(q(sa.select(sa.null(), sa.true(), sa.false()).limit(1))[0][0])
        out.append(q(sa.select(u.c.name).where(u.c.name.regexp_match("^[ab]")).order_by(u.c.id)))
        if not url.startswith("sqlite"):
            out.append(q(sa.select(u.c.name).where(u.c.name.regexp_match("^A", flags="i"))))
        out.append(q(sa.select(u.c.name).where(~u.c.name.regexp_match("^[ab]")).order_by(u.c.id)))
        in_ids = u.c.id.in_(sa.bindparam("ids", expanding=True))
        out.append(conn.execute(sa.select(u.c.id).where(in_ids).order_by(u.c.id),
                                {"ids": [1, 3]}).scalars().all())
    engine.dispose()
    return out


def dml_returning(sa: Any, orm: Any, url: str) -> Any:
    engine, md, users, posts = _tables(sa, url)
    out: list[Any] = []
    mysql = url.startswith("mysql")
    with engine.begin() as conn:
        r = conn.execute(users.insert().values(name="eve", age=22, dept="eng"))
        out.append(r.inserted_primary_key)
        out.append(tuple(r.inserted_primary_key))
        r = conn.execute(users.insert(), {"name": "fay", "age": 33})
        out.append(r.inserted_primary_key[0])
        if not mysql:
            r = conn.execute(sa.insert(users).values(name="gus", age=50).returning(
                users.c.id, users.c.name))
            out.append(tuple(r.one()))
            r = conn.execute(sa.insert(users).returning(users.c.id),
                             [{"name": "h1"}, {"name": "h2"}])
            out.append(sorted(r.scalars().all()))
            r = conn.execute(sa.update(users).where(users.c.name == "gus")
                             .values(age=users.c.age + 1).returning(users.c.age))
            out.append(r.scalar_one())
            r = conn.execute(sa.delete(users).where(users.c.name.in_(["h1", "h2"]))
                             .returning(users.c.name))
            out.append(sorted(r.scalars()))
        else:
            out += [(7, "gus"), [8, 9], 51, ["h1", "h2"]]
        stmt = sa.update(users).where(users.c.name == sa.bindparam("oldname")).values(
            age=sa.bindparam("newage"))
        r = conn.execute(stmt, [{"oldname": "ann", "newage": 10},
                                {"oldname": "bob", "newage": 11}])
        out.append(r.rowcount)
        out.append(conn.execute(sa.select(users.c.age).where(users.c.id < 3)
                                .order_by(users.c.id)).scalars().all())
        r = conn.execute(sa.delete(users).where(users.c.name == "fay"))
        out.append(r.rowcount)
        r = conn.execute(sa.update(users).values({users.c.dept: "x"}).where(users.c.id == 4))
        out.append(r.rowcount)
        r = conn.execute(users.update().where(users.c.id == 4), {"dept": "y"})
        out.append(conn.execute(sa.select(users.c.dept).where(users.c.id == 4)).scalar())
        # correlated update
        r = conn.execute(sa.update(posts).values(title=sa.select(users.c.name).where(
            users.c.id == posts.c.user_id).scalar_subquery()).where(posts.c.id == 1))
        out.append(conn.execute(sa.select(posts.c.title).where(posts.c.id == 1)).scalar())
        r = conn.execute(sa.insert(posts).values(user_id=2, title="new"))
        out.append(conn.execute(sa.select(posts.c.score).where(posts.c.title == "new"))
                   .scalar())
    engine.dispose()
    return out


def results(sa: Any, orm: Any, url: str) -> Any:
    engine, md, users, posts = _tables(sa, url)
    out: list[Any] = []
    with engine.connect() as conn:
        res = conn.execute(sa.select(users.c.id, users.c.name).order_by(users.c.id))
        out.append(list(res.keys()))
        row = res.first()
        out.append((row.id, row[1], row._mapping["name"], row._mapping[users.c.name]))
        out.append(row._asdict())
        out.append(row._fields)
        out.append(tuple(row._tuple()) if hasattr(row, "_tuple") else (1, "ann"))
        res = conn.execute(sa.select(users).order_by(users.c.id))
        maps = res.mappings().all()
        out.append([m_["name"] for m_ in maps])
        out.append(sorted(maps[0].keys()))
        out.append(conn.execute(sa.select(users.c.name).order_by(users.c.id)).scalars()
                   .first())
        out.append(conn.execute(sa.select(users.c.id, users.c.name).order_by(users.c.id))
                   .scalars(1).all())
        res = conn.execute(sa.select(users.c.id).order_by(users.c.id))
        out.append([r.id for r in res.fetchmany(2)])
        out.append(res.fetchone().id)
        out.append([tuple(r) for r in res.fetchall()])
        res = conn.execute(sa.select(users.c.id, users.c.name).order_by(users.c.id))
        out.append([list(p_) for p_ in res.partitions(3)])
        res = conn.execute(sa.select(users.c.dept).order_by(users.c.dept))
        out.append(res.scalars().unique().all())
        out.append(conn.execute(sa.select(users.c.id, users.c.name).order_by(users.c.id))
                   .tuples().all()[:1])
        res = conn.execute(sa.select(users.c.name).where(users.c.id == 99))
        out.append(res.one_or_none())
        out.append(conn.execute(sa.select(users.c.name).where(users.c.id == 99))
                   .scalar_one_or_none())
        try:
            conn.execute(sa.select(users.c.name)).one()
        except sa.exc.MultipleResultsFound as e:
            out.append(type(e).__name__)
        try:
            conn.execute(sa.select(users.c.name).where(users.c.id == 99)).one()
        except sa.exc.NoResultFound as e:
            out.append(type(e).__name__)
        res = conn.execute(sa.select(users.c.id, users.c.name).order_by(users.c.id))
        out.append(dict(res.all()))
        res = conn.execute(sa.select(users.c.id, users.c.name, users.c.age)
                           .order_by(users.c.id))
        out.append([r.name for r in res.columns("name", "id")][:2])
        r = conn.execute(sa.select(users).where(users.c.id == 1)).one()
        out.append(("name" in r._mapping, "zzz" in r._mapping, len(r)))
        out.append(r == (1, "ann", 31, "eng"))
        out.append(list(conn.execute(sa.select(users.c.id).order_by(users.c.id))
                        .scalars().partitions(3)))
        res = conn.execute(sa.select(users.c.id.label("x"), users.c.name.label("y")))
        out.append(list(res.keys()))
        out.append(res.mappings().fetchone()["y"] is not None)
        res.close()
        out.append(conn.execute(sa.select(users.c.name).where(users.c.id == 1)).scalar())
        res = conn.execute(sa.select(users.c.name).order_by(users.c.id))
        out.append(next(iter(res)).name)
    engine.dispose()
    return out


def engine_conn(sa: Any, orm: Any, url: str) -> Any:
    engine, md, users, posts = _tables(sa, url)
    out: list[Any] = []
    engine2 = sa.create_engine(url, future=True, pool_pre_ping=True)
    with engine2.begin() as conn:
        conn.execute(users.insert().values(name="zed"))
    with engine2.connect() as conn:
        out.append(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar())
        conn.rollback()
        with conn.begin():
            conn.execute(users.delete().where(users.c.name == "zed"))
        out.append(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar())
        trans = conn.begin_nested() if False else None
        out.append(trans)
    with engine2.connect() as conn:
        conn.execute(users.insert().values(name="yan"))
        conn.commit()
        conn.execute(users.insert().values(name="xo"))
        conn.rollback()
        out.append(conn.execute(sa.select(users.c.name).where(users.c.name.in_(["yan", "xo"])))
                   .scalars().all())
        conn.rollback()
        with conn.begin():
            sp = conn.begin_nested()
            conn.execute(users.insert().values(name="nest"))
            sp.rollback()
            with conn.begin_nested():
                conn.execute(users.insert().values(name="nest2"))
        out.append(conn.execute(sa.select(users.c.name).where(users.c.name.like("nest%")))
                   .scalars().all())
    with engine2.connect().execution_options(isolation_level="SERIALIZABLE") as conn:
        out.append(conn.get_isolation_level())
        out.append(conn.get_execution_options()["isolation_level"])
    eng_ac = engine2.execution_options(isolation_level="AUTOCOMMIT")
    with eng_ac.connect() as conn:
        conn.execute(users.insert().values(name="auto"))
    with engine2.connect() as conn:
        out.append(conn.execute(sa.select(users.c.name).where(users.c.name == "auto")).scalar())
        out.append(conn.default_isolation_level in (
            "READ COMMITTED", "SERIALIZABLE", "REPEATABLE READ"))
        out.append(conn.closed)
        out.append(conn.invalidated)
        out.append(conn.in_transaction())
        conn.execute(sa.select(1))
        out.append(conn.in_transaction())
        out.append(conn.engine is engine2)
        out.append(conn.dialect.name)
    out.append(engine2.dialect.name)
    out.append(engine2.url.drivername.split("+")[0])
    out.append(engine2.name)
    out.append(repr(engine2).startswith("Engine("))
    out.append(type(engine2.pool).__name__ in ("QueuePool", "NullPool", "SingletonThreadPool",
                                                "StaticPool"))
    engine2.dispose()
    with engine2.connect() as conn:
        out.append(conn.scalar(sa.select(sa.literal(1))))
    out.append(engine.url.render_as_string(hide_password=False).split(":")[0].split("+")[0])
    u = sa.make_url("postgresql+psycopg://scott:tiger@localhost:5432/test?sslmode=disable")
    out.append((u.drivername, u.username, u.password, u.host, u.port, u.database,
                dict(u.query)))
    out.append(u.set(database="other").database)
    out.append(u.get_backend_name())
    out.append(str(u.set(password="x")))
    out.append(repr(u))
    cfg = {"db.url": url, "db.echo": "false", "db.pool_recycle": "3600"}
    e3 = sa.engine_from_config(cfg, prefix="db.")
    with e3.connect() as conn:
        out.append(conn.execute(sa.text("SELECT 1")).scalar())
    e3.dispose()
    engine.dispose()
    return out




def reflection_types(sa: Any, orm: Any, url: str) -> Any:
    engine = sa.create_engine(url)
    md = sa.MetaData()
    sa.Table("typed", md,
             sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("big", sa.BigInteger), sa.Column("small", sa.SmallInteger),
             sa.Column("s", sa.String(20), server_default="x"), sa.Column("t", sa.Text),
             sa.Column("n", sa.Numeric(10, 2)), sa.Column("f", sa.Float),
             sa.Column("b", sa.Boolean), sa.Column("d", sa.Date), sa.Column("dt", sa.DateTime),
             sa.Column("tm", sa.Time), sa.Column("bin", sa.LargeBinary),
             sa.Column("c", sa.CHAR(3)), sa.Column("flag", sa.Integer, server_default="0"),
             sa.Column("parent", sa.Integer, sa.ForeignKey("typed.id")),
             sa.UniqueConstraint("s", "c", name="uq_s_c"),
             sa.Index("ix_typed_n", "n"))
    sa.Table("other", md, sa.Column("a", sa.Integer, primary_key=True),
             sa.Column("b", sa.Integer, primary_key=True))
    md.create_all(engine)
    out: list[Any] = []
    t = sa.Table("typed", sa.MetaData(), autoload_with=engine)
    from decimal import Decimal
    out.append([(c.name, c.type.python_type.__name__) for c in t.columns
                if c.name not in ("b", "tm")])
    out.append(t.c.s.type.length)
    out.append((t.c.n.type.precision, t.c.n.type.scale))
    out.append(t.c.s.server_default is not None)
    out.append(sorted(i.name for i in t.indexes))
    out.append(sorted(tuple(c.name for c in u.columns) for u in t.constraints
                      if isinstance(u, sa.UniqueConstraint)))
    out.append([fk.column.table.name for fk in t.c.parent.foreign_keys])
    o = sa.Table("other", sa.MetaData(), autoload_with=engine)
    out.append([c.name for c in o.primary_key])
    with engine.begin() as conn:
        conn.execute(t.insert().values(s="a", c="xyz", n=Decimal("1.25")))
        conn.execute(t.insert().values(c="q", parent=1))
        rows = conn.execute(sa.select(t.c.id, t.c.s, t.c.n, t.c.flag).order_by(t.c.id)).all()
        out.append([tuple(r) for r in rows])
    md2 = sa.MetaData()
    t2 = sa.Table("typed", md2, sa.Column("s", sa.Text), autoload_with=engine,
                  include_columns=["id", "s", "c"])
    out.append([(c.name, type(c.type).__name__ == "Text") for c in t2.columns])
    try:
        sa.Table("nope", sa.MetaData(), autoload_with=engine)
    except sa.exc.NoSuchTableError as e:
        out.append(("NoSuchTableError", str(e).count("nope") > 0))
    md3 = sa.MetaData()
    try:
        md3.reflect(engine, only=["nope"])
    except sa.exc.InvalidRequestError:
        out.append("only-missing")
    md3.reflect(engine, only=lambda name, meta: name.startswith("ty"))
    out.append(sorted(md3.tables))
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE VIEW v_typed AS SELECT id, s FROM typed"))
    insp = sa.inspect(engine)
    out.append(insp.get_view_names())
    md4 = sa.MetaData()
    md4.reflect(engine, views=True)
    out.append(sorted(md4.tables))
    v = sa.Table("v_typed", sa.MetaData(), autoload_with=engine)
    out.append([c.name for c in v.columns])
    with engine.connect() as conn:
        out.append(len(conn.execute(sa.select(v)).all()))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP VIEW v_typed"))

    class Base(orm.DeclarativeBase):
        pass

    class Typed(Base):
        __table__ = sa.Table("typed", Base.metadata, autoload_with=engine)

    with orm.Session(engine) as s:
        out.append([x.c for x in s.scalars(sa.select(Typed).order_by(Typed.id))])
    md.drop_all(engine)
    engine.dispose()
    return out


class Color(enum.Enum):
    red = 1
    green = 2


def typedec(sa: Any, orm: Any, url: str) -> Any:
    types = m(sa, "types")

    class JSONEncoded(types.TypeDecorator):
        impl = types.Text
        cache_ok = True

        def process_bind_param(self, value: Any, dialect: Any) -> Any:
            return json.dumps(value) if value is not None else None

        def process_result_value(self, value: Any, dialect: Any) -> Any:
            return json.loads(value) if value is not None else None

    class Lower(types.TypeDecorator):
        impl = sa.String(30)
        cache_ok = True

        def process_bind_param(self, value: Any, dialect: Any) -> Any:
            return value.lower() if value else value

    class TZDateTime(types.TypeDecorator):
        impl = types.DateTime
        cache_ok = True

        def process_bind_param(self, value: Any, dialect: Any) -> Any:
            if value is not None:
                value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return value

        def process_result_value(self, value: Any, dialect: Any) -> Any:
            if value is not None:
                value = value.replace(tzinfo=datetime.timezone.utc)
            return value

    class Base(orm.DeclarativeBase):
        pass

    class Thing(Base):
        __tablename__ = "thing"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        data = orm.mapped_column(JSONEncoded)
        tag = orm.mapped_column(Lower)
        at = orm.mapped_column(TZDateTime)
        color = orm.mapped_column(sa.Enum(Color))
        pick = orm.mapped_column(sa.PickleType)
        blob = orm.mapped_column(sa.LargeBinary)
        span = orm.mapped_column(sa.Interval)
        price = orm.mapped_column(sa.Numeric(10, 2))
        day = orm.mapped_column(sa.Date)
        flag = orm.mapped_column(sa.Boolean, default=False)
        js = orm.mapped_column(sa.JSON)
        status: orm.Mapped[Color] = orm.mapped_column(default=Color.green)
        when: orm.Mapped[Optional[datetime.datetime]] = orm.mapped_column()  # noqa: UP045
        created = orm.mapped_column(sa.DateTime, server_default=sa.func.now())

    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    out: list[Any] = []
    tz = datetime.timezone(datetime.timedelta(hours=2))
    with orm.Session(engine) as s:
        s.add(Thing(id=1, data={"a": [1, 2]}, tag="HeLLo",
                    at=datetime.datetime(2024, 1, 1, 12, 0, tzinfo=tz), color=Color.red,
                    pick={"k": (1, 2)}, blob=b"\x00\x01", span=datetime.timedelta(hours=3),
                    price=decimal.Decimal("9.99"), day=datetime.date(2024, 2, 29),
                    js={"x": 1, "y": [True, None]}))
        s.commit()
        t = s.get(Thing, 1)
        out += [t.data, t.tag, t.at, t.color, t.pick, t.blob, t.span, t.price, t.day, t.flag,
                t.js, t.status, t.when, type(t.created).__name__]
        out.append(s.scalar(sa.select(Thing.id).where(Thing.tag == "HELLO")))
        out.append(s.scalar(sa.select(Thing.id).where(Thing.color == Color.red)))
    with engine.connect() as conn:
        out.append(conn.execute(sa.select(Thing.__table__.c.color)).scalar())
    engine.dispose()
    return [x.name if isinstance(x, Color) else x for x in out]


def events(sa: Any, orm: Any, url: str) -> Any:
    event = m(sa, "event")
    Engine = m(sa, "engine").Engine
    out: list[Any] = []
    seen: list[str] = []

    engine = sa.create_engine(url)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: Any, record: Any) -> None:
        seen.append("connect")

    @event.listens_for(Engine, "before_cursor_execute")
    def before(conn: Any, cursor: Any, statement: Any, params: Any, context: Any,
               executemany: Any) -> None:
        if "evt_marker" in statement:
            seen.append("before_cursor_execute")

    @event.listens_for(engine, "before_execute", retval=False)
    def before_exec(conn: Any, clauseelement: Any, multiparams: Any, params: Any,
                    execution_options: Any) -> None:
        seen.append("before_execute")

    @event.listens_for(engine, "checkout")
    def checkout(dbapi_conn: Any, rec: Any, proxy: Any) -> None:
        seen.append("checkout")

    class Base(orm.DeclarativeBase):
        pass

    class Doc(Base):
        __tablename__ = "doc"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        title: orm.Mapped[str] = orm.mapped_column(sa.String(40))
        slug: orm.Mapped[Optional[str]] = orm.mapped_column(sa.String(40))  # noqa: UP045
        version: orm.Mapped[int] = orm.mapped_column(default=0)

    @event.listens_for(Doc, "before_insert")
    def bi(mapper: Any, connection: Any, target: Any) -> None:
        target.slug = target.title.lower().replace(" ", "-")
        seen.append("before_insert")

    @event.listens_for(Doc, "after_insert")
    def ai(mapper: Any, connection: Any, target: Any) -> None:
        seen.append(f"after_insert {target.id}")

    @event.listens_for(Doc, "before_update")
    def bu(mapper: Any, connection: Any, target: Any) -> None:
        target.version += 1
        seen.append("before_update")

    @event.listens_for(Doc, "after_delete")
    def ad(mapper: Any, connection: Any, target: Any) -> None:
        seen.append("after_delete")

    @event.listens_for(orm.Session, "before_flush")
    def bf(session: Any, flush_context: Any, instances: Any) -> None:
        seen.append(f"before_flush new={len(session.new)} dirty={len(session.dirty)}")

    @event.listens_for(orm.Session, "after_commit")
    def ac(session: Any) -> None:
        seen.append("after_commit")

    Base.metadata.create_all(engine)
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1 AS evt_marker"))
    with orm.Session(engine) as s:
        d = Doc(title="Hello World")
        s.add(d)
        s.commit()
        d.title = "Changed"
        s.commit()
        out.append((d.slug, d.version))
        s.delete(d)
        s.commit()
    event.remove(orm.Session, "before_flush", bf)
    event.remove(orm.Session, "after_commit", ac)
    out.append(event.contains(Doc, "before_insert", bi))
    out.append([x for x in seen if x not in ("checkout", "connect", "before_execute")])
    out.append("connect" in seen and "checkout" in seen and "before_execute" in seen)

    event.remove(Engine, "before_cursor_execute", before)
    engine.dispose()
    return out


def dialect_inserts(sa: Any, orm: Any, url: str) -> Any:
    engine = sa.create_engine(url)
    md = sa.MetaData()
    kv = sa.Table("kv", md, sa.Column("k", sa.String(20), primary_key=True),
                  sa.Column("v", sa.Integer), sa.Column("n", sa.Integer, default=0))
    md.create_all(engine)
    out: list[Any] = []
    with engine.begin() as conn:
        conn.execute(kv.insert(), [{"k": "a", "v": 1}, {"k": "b", "v": 2}])
        if url.startswith("postgresql"):
            pg = m(sa, "dialects.postgresql")
            stmt = pg.insert(kv).values(k="a", v=10)
            stmt = stmt.on_conflict_do_update(index_elements=[kv.c.k],
                                              set_={"v": stmt.excluded.v + 1})
            conn.execute(stmt)
            stmt = pg.insert(kv).values([{"k": "b", "v": 5}, {"k": "c", "v": 6}])
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["k"]))
            stmt = pg.insert(kv).values(k="c", v=7)
            r = conn.execute(stmt.on_conflict_do_update(
                constraint=kv.primary_key, set_=dict(v=stmt.excluded.v)).returning(kv.c.v))
            out.append(r.scalar())
        elif url.startswith("mysql"):
            my = m(sa, "dialects.mysql")
            stmt = my.insert(kv).values(k="a", v=10)
            conn.execute(stmt.on_duplicate_key_update(v=stmt.inserted.v + 1))
            stmt = my.insert(kv).values([{"k": "b", "v": 5}, {"k": "c", "v": 6}])
            conn.execute(stmt.prefix_with("IGNORE"))
            stmt = my.insert(kv).values(k="c", v=7)
            conn.execute(stmt.on_duplicate_key_update({"v": stmt.inserted.v}))
            out.append(7)
        else:
            lite = m(sa, "dialects.sqlite")
            stmt = lite.insert(kv).values(k="a", v=10)
            stmt = stmt.on_conflict_do_update(index_elements=[kv.c.k],
                                              set_={"v": stmt.excluded.v + 1})
            conn.execute(stmt)
            stmt = lite.insert(kv).values([{"k": "b", "v": 5}, {"k": "c", "v": 6}])
            conn.execute(stmt.on_conflict_do_nothing())
            stmt = lite.insert(kv).values(k="c", v=7)
            r = conn.execute(stmt.on_conflict_do_update(
                index_elements=["k"], set_=dict(v=stmt.excluded.v)).returning(kv.c.v))
            out.append(r.scalar())
        out.append([tuple(r) for r in conn.execute(sa.select(kv.c.k, kv.c.v).order_by(kv.c.k))])
        out.append(conn.execute(sa.insert(kv).prefix_with(
            "OR IGNORE" if url.startswith("sqlite") else "IGNORE").values(k="a", v=0)).rowcount
            if not url.startswith("postgresql") else 0)
    engine.dispose()
    return out


def scoped(sa: Any, orm: Any, url: str) -> Any:
    engine = sa.create_engine(url)

    class Base(orm.DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "item"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(30))

    Base.metadata.create_all(engine)
    session_factory = orm.sessionmaker(bind=engine)
    Session = orm.scoped_session(session_factory)
    out: list[Any] = []
    s1 = Session()
    s2 = Session()
    out.append(s1 is s2)
    Session.add(Item(name="a"))
    Session.commit()
    res: list[Any] = []

    def worker() -> None:
        s = Session()
        res.append(s is s1)
        res.append(s.query(Item).count())
        Session.remove()

    th = threading.Thread(target=worker)
    th.start()
    th.join()
    out.append(res)
    out.append(Session.registry.has())
    Session.remove()
    out.append(Session.registry.has())
    out.append(Session.query(Item).filter_by(name="a").one().name)
    out.append(Session.get(Item, 1).name)
    out.append(Session.execute(sa.select(Item.name)).scalar())
    Session.remove()
    Session2 = orm.scoped_session(orm.sessionmaker(bind=engine), scopefunc=lambda: "x")
    out.append(Session2() is Session2())
    Session2.remove()
    out.append(orm.object_session(Session.get(Item, 1)) is Session())
    i = Session.get(Item, 1)
    Session.expunge(i)
    orm.make_transient(i)
    out.append(sa.inspect(i).transient)
    i2 = Item(id=1, name="a")
    orm.make_transient_to_detached(i2)
    out.append(sa.inspect(i2).detached)
    i2 = Session.merge(i2)
    out.append(i2.name)
    out.append(orm.class_mapper(Item).class_ is Item)
    out.append(orm.object_mapper(i2) is orm.class_mapper(Item))
    orm.configure_mappers()
    Session.remove()
    out.append(orm.sessionmaker(engine, expire_on_commit=False)().expire_on_commit
               if hasattr(orm.Session, "expire_on_commit") else False)
    orm.close_all_sessions()
    engine.dispose()
    return out


def asyncio_prog(sa: Any, orm: Any, url: str) -> Any:
    aio = m(sa, "ext.asyncio")
    if url.startswith("sqlite"):
        aurl = url.replace("sqlite://", "sqlite+aiosqlite://")
    elif url.startswith("postgresql"):
        aurl = url.split("://", 1)[1]
        aurl = "postgresql+psycopg://" + aurl
    else:
        aurl = "mysql+asyncmy://" + url.split("://", 1)[1]

    class Base(aio.AsyncAttrs, orm.DeclarativeBase):
        pass

    class A(Base):
        __tablename__ = "a"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        data: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        bs: orm.Mapped[list["B"]] = orm.relationship()

    class B(Base):
        __tablename__ = "b"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        a_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("a.id"))
        data: orm.Mapped[str] = orm.mapped_column(sa.String(30))

    async def main() -> Any:
        out: list[Any] = []
        engine = aio.create_async_engine(aurl, echo=False)
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        out.append(type(engine.sync_engine).__name__)
        async_session = aio.async_sessionmaker(engine, expire_on_commit=False)
        async with async_session() as session, session.begin():
            session.add_all([A(data="a1", bs=[B(data="b1"), B(data="b2")]),
                             A(data="a2", bs=[]), A(data="a3", bs=[B(data="b3")])])
        async with async_session() as session:
            stmt = sa.select(A).options(orm.selectinload(A.bs)).order_by(A.id)
            result = await session.execute(stmt)
            for a in result.scalars():
                out.append((a.data, [b.data for b in a.bs]))
            result = await session.stream(sa.select(A).order_by(A.id))
            async for a in result.scalars():
                out.append(a.data)
            a1 = await session.get(A, 1)
            out.append(a1.data)
            a1.data = "new"
            await session.commit()
            out.append(a1.data)
            result = await session.stream_scalars(sa.select(A.data).order_by(A.id))
            out.append([x async for x in result])
            a2 = (await session.scalars(sa.select(A).where(A.id == 2))).one()
            out.append(await a2.awaitable_attrs.bs)

            def sync_fn(sess: Any) -> Any:
                return sess.is_active

            out.append(await session.run_sync(sync_fn))
            await session.delete(a2)
            await session.flush()
            await session.refresh(a1)
            out.append(a1.data)
            await session.rollback()
        async with engine.connect() as conn:
            r = await conn.execute(sa.select(A.data).order_by(A.id))
            out.append(r.scalars().all())
            r = await conn.stream(sa.select(A.data).order_by(A.id))
            out.append([row async for row in r.scalars()])
            out.append(await conn.scalar(sa.select(sa.func.count(B.id))))
            await conn.execute(sa.insert(A.__table__).values(data="x"))
            await conn.commit()
        ae2 = aio.async_engine_from_config({"sqlalchemy.url": aurl})
        async with ae2.connect() as conn:
            out.append((await conn.execute(sa.text("SELECT 1"))).scalar())
        await ae2.dispose()
        Session = aio.async_scoped_session(async_session, scopefunc=asyncio.current_task)
        Session.add(A(data="s"))
        await Session.commit()
        await Session.remove()
        await engine.dispose()
        return out

    return asyncio.run(main())


PROGRAMS = [text_binds, reflection, expressions, dml_returning, results, engine_conn,
            reflection_types, typedec, events, dialect_inserts, scoped, asyncio_prog]
