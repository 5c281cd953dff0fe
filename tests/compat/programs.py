"""Small SQLAlchemy-style programs, written once and run against athanor or SQLAlchemy.

Each program takes the two modules (``sa``: ``athanor`` or ``sqlalchemy``; ``orm``: its
``.orm``) and a database URL, runs code in the style of SQLAlchemy's own tutorials using
only those modules, and returns plain Python values. The tests run them on athanor and
compare with the values SQLAlchemy 2.0 gives (recorded in ``test_programs.py``);
``compare.py`` runs both side by side when SQLAlchemy is installed.
"""

from typing import Any, Optional


def _models(sa: Any, orm: Any) -> Any:
    """The unified tutorial's User/Address models (2.0 annotated style)."""

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "user_account"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        fullname: orm.Mapped[Optional[str]] = orm.mapped_column(sa.String(60))  # noqa: UP045
        addresses: orm.Mapped[list["Address"]] = orm.relationship(
            back_populates="user", cascade="all, delete-orphan", order_by="Address.id")

        def __repr__(self) -> str:
            return f"User(id={self.id!r}, name={self.name!r}, fullname={self.fullname!r})"

    class Address(Base):
        __tablename__ = "address"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        email_address: orm.Mapped[str] = orm.mapped_column(sa.String(60))
        user_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("user_account.id"))
        user: orm.Mapped["User"] = orm.relationship(back_populates="addresses")

        def __repr__(self) -> str:
            return f"Address(id={self.id!r}, email_address={self.email_address!r})"

    return Base, User, Address


def _seed(orm: Any, engine: Any, User: Any, Address: Any) -> None:
    with orm.Session(engine) as session:
        spongebob = User(name="spongebob", fullname="Spongebob Squarepants",
                         addresses=[Address(email_address="spongebob@sqlalchemy.org")])
        sandy = User(name="sandy", fullname="Sandy Cheeks", addresses=[
            Address(email_address="sandy@sqlalchemy.org"),
            Address(email_address="sandy@squirrelpower.org")])
        patrick = User(name="patrick", fullname="Patrick Star")
        session.add_all([spongebob, sandy, patrick])
        session.commit()


def _setup(sa: Any, orm: Any, url: str) -> Any:
    engine = sa.create_engine(url)
    Base, User, Address = _models(sa, orm)
    Base.metadata.create_all(engine)
    _seed(orm, engine, User, Address)
    return engine, User, Address


# ------------------------------------------------------------------------------------
# ORM quickstart


def quickstart(sa: Any, orm: Any, url: str) -> Any:
    engine, User, Address = _setup(sa, orm, url)
    out: list[Any] = []
    session = orm.Session(engine)
    stmt = sa.select(User).where(User.name.in_(["spongebob", "sandy"])).order_by(User.id)
    out.append([repr(u) for u in session.scalars(stmt)])
    stmt = (sa.select(Address).join(Address.user).where(User.name == "sandy")
            .where(Address.email_address == "sandy@sqlalchemy.org"))
    sandy_address = session.scalars(stmt).one()
    out.append(repr(sandy_address))
    stmt = sa.select(User).where(User.name == "patrick")
    patrick = session.scalars(stmt).one()
    patrick.addresses.append(Address(email_address="patrickstar@sqlalchemy.org"))
    sandy_address.email_address = "sandy_cheeks@sqlalchemy.org"
    session.commit()
    sandy = session.execute(sa.select(User).filter_by(name="sandy")).scalar_one()
    sandy.addresses.remove(sandy_address)
    session.flush()
    session.delete(patrick)
    session.commit()
    out.append(session.scalars(sa.select(sa.func.count(Address.id))).one())
    out.append([a.email_address for a in session.scalars(
        sa.select(Address).order_by(Address.id))])
    out.append(session.get(User, 2).name)
    session.close()
    return out


# ------------------------------------------------------------------------------------
# Core (unified tutorial)


def core_basics(sa: Any, orm: Any, url: str) -> Any:
    engine = sa.create_engine(url)
    metadata_obj = sa.MetaData()
    user_table = sa.Table(
        "user_account", metadata_obj,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(30)),
        sa.Column("fullname", sa.String(60)),
    )
    address_table = sa.Table(
        "address", metadata_obj,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("email_address", sa.String(60), nullable=False),
    )
    metadata_obj.create_all(engine)
    out: list[Any] = []
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE some_table (x int, y int)"))
        conn.execute(sa.text("INSERT INTO some_table (x, y) VALUES (:x, :y)"),
                     [{"x": 1, "y": 1}, {"x": 2, "y": 4}])
        conn.commit()
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO some_table (x, y) VALUES (:x, :y)"),
                     [{"x": 6, "y": 8}, {"x": 9, "y": 10}])
    with engine.connect() as conn:
        result = conn.execute(sa.text("SELECT x, y FROM some_table WHERE y > :y ORDER BY x"),
                              {"y": 2})
        out.append([(row.x, row.y) for row in result])
        result = conn.execute(sa.text("SELECT x, y FROM some_table ORDER BY x"))
        out.append([(x, y) for x, y in result])
        result = conn.execute(sa.text("SELECT x, y FROM some_table ORDER BY x"))
        out.append([row._mapping["y"] for row in result])
        stmt = sa.text("SELECT x, y FROM some_table WHERE y > :y ORDER BY x, y")
    with orm.Session(engine) as session:
        result = session.execute(stmt, {"y": 6})
        out.append([tuple(r) for r in result])
        session.execute(sa.text("UPDATE some_table SET y=:y WHERE x=:x"),
                        [{"x": 9, "y": 11}, {"x": 13, "y": 15}])
        session.commit()
    with engine.begin() as conn:
        result = conn.execute(sa.insert(user_table).values(name="spongebob",
                                                          fullname="Spongebob Squarepants"))
        out.append(list(result.inserted_primary_key))
        conn.execute(sa.insert(user_table), [
            {"name": "sandy", "fullname": "Sandy Cheeks"},
            {"name": "patrick", "fullname": "Patrick Star"},
        ])
        scalar_subq = (sa.select(user_table.c.id).where(user_table.c.name == sa.bindparam(
            "username")).scalar_subquery())
        conn.execute(sa.insert(address_table).values(user_id=scalar_subq), [
            {"username": "spongebob", "email_address": "spongebob@sqlalchemy.org"},
            {"username": "sandy", "email_address": "sandy@sqlalchemy.org"},
            {"username": "sandy", "email_address": "sandy@squirrelpower.org"},
        ])
    with engine.connect() as conn:
        stmt = sa.select(user_table).where(user_table.c.name == "spongebob")
        out.append([tuple(r) for r in conn.execute(stmt)])
        stmt = (sa.select(user_table.c.name, address_table.c.email_address)
                .join_from(user_table, address_table).order_by(address_table.c.id))
        out.append([tuple(r) for r in conn.execute(stmt)])
        stmt = (sa.select(address_table.c.email_address).select_from(user_table)
                .join(address_table).where(user_table.c.name == "sandy")
                .order_by(address_table.c.email_address.desc()))
        out.append(conn.execute(stmt).scalars().all())
        stmt = (sa.select(user_table.c.name, sa.func.count(address_table.c.id).label("count"))
                .join(address_table).group_by(user_table.c.name)
                .having(sa.func.count(address_table.c.id) > 1))
        out.append([(r.name, r.count) for r in conn.execute(stmt)])
        stmt = (sa.select(user_table.c.name).where(
            sa.or_(user_table.c.name == "sandy", user_table.c.name == "patrick"),
            user_table.c.id > 1).order_by(user_table.c.id))
        out.append(conn.execute(stmt).scalars().all())
        out.append(conn.execute(sa.select(sa.func.count()).select_from(user_table)).scalar())
        subq = (sa.select(sa.func.count(address_table.c.id).label("count"),
                          address_table.c.user_id).group_by(address_table.c.user_id).subquery())
        stmt = (sa.select(user_table.c.name, subq.c.count).join_from(
            user_table, subq).order_by(user_table.c.id))
        out.append([tuple(r) for r in conn.execute(stmt)])
        ua1 = user_table.alias()
        ua2 = user_table.alias()
        stmt = (sa.select(ua1.c.name, ua2.c.name).join_from(ua1, ua2, ua1.c.id < ua2.c.id)
                .order_by(ua1.c.id, ua2.c.id))
        out.append([tuple(r) for r in conn.execute(stmt)])
        cte = (sa.select(sa.func.count(address_table.c.id).label("count"),
                         address_table.c.user_id).group_by(address_table.c.user_id).cte())
        stmt = (sa.select(user_table.c.name, cte.c.count).join_from(user_table, cte)
                .order_by(user_table.c.name))
        out.append([tuple(r) for r in conn.execute(stmt)])
        exists_crit = (sa.select(address_table.c.id)
                       .where(user_table.c.id == address_table.c.user_id).exists())
        stmt = sa.select(user_table.c.name).where(~exists_crit)
        out.append(conn.execute(stmt).scalars().all())
        u = sa.union_all(sa.select(user_table.c.name).where(user_table.c.id == 1),
                         sa.select(user_table.c.name).where(user_table.c.id == 3))
        out.append(sorted(conn.execute(u).scalars().all()))
        stmt = sa.select(sa.func.max(user_table.c.id), sa.func.min(user_table.c.name),
                         sa.func.lower(sa.literal("ABC")))
        out.append(tuple(conn.execute(stmt).one()))
        stmt = sa.select(sa.case((user_table.c.name == "sandy", "S"), else_="X").label(
            "c")).order_by(user_table.c.id)
        out.append(conn.execute(stmt).scalars().all())
        stmt = sa.select(sa.cast(user_table.c.id, sa.String(10))).where(user_table.c.id == 2)
        out.append(conn.execute(stmt).scalar_one())
    with engine.begin() as conn:
        r = conn.execute(sa.update(user_table).where(user_table.c.name == "patrick")
                         .values(fullname="Patrick the Star"))
        out.append(r.rowcount)
        conn.execute(sa.update(user_table).where(user_table.c.name == sa.bindparam("oldname"))
                     .values(name=sa.bindparam("newname")),
                     [{"oldname": "patrick", "newname": "pat"}])
        r = conn.execute(sa.delete(user_table).where(user_table.c.name == "pat"))
        out.append(r.rowcount)
        out.append(conn.execute(sa.select(user_table.c.name).order_by(user_table.c.id))
                   .scalars().all())
    return out


# ------------------------------------------------------------------------------------
# ORM querying (unified tutorial, 2.0 style)


def orm_select(sa: Any, orm: Any, url: str) -> Any:
    engine, User, Address = _setup(sa, orm, url)
    out: list[Any] = []
    with orm.Session(engine) as session:
        row = session.execute(sa.select(User).filter_by(name="spongebob")).first()
        out.append(repr(row[0]))
        out.append(type(row).__name__)
        rows = session.execute(sa.select(User.name, Address.email_address)
                               .join(User.addresses).order_by(Address.id)).all()
        out.append([tuple(r) for r in rows])
        out.append(rows[0].name)
        rows = session.execute(sa.select(User, Address).join(User.addresses)
                               .order_by(Address.id)).all()
        out.append([(u.name, a.email_address) for u, a in rows])
        out.append([r.User.name for r in rows])
        out.append(session.scalars(sa.select(User.name).order_by(User.name.desc())).all())
        stmt = sa.select(sa.func.count(Address.id), User.name).join(User.addresses).group_by(
            User.name).order_by(User.name)
        out.append([tuple(r) for r in session.execute(stmt)])
        stmt = (sa.select(User.name, sa.func.count(Address.id).label("cnt"))
                .join(Address).group_by(User.name).having(sa.func.count(Address.id) > 1))
        out.append([(r.name, r.cnt) for r in session.execute(stmt)])
        label = sa.literal_column("'x'").label("lit")
        stmt = sa.select(User.name.label("username"), label).order_by(sa.text("username"))
        out.append([(r.username, r.lit) for r in session.execute(stmt)])
        subq = sa.select(Address).where(~Address.email_address.like("%@aol.com")).subquery()
        address_subq = orm.aliased(Address, subq)
        stmt = (sa.select(User, address_subq).join_from(User, address_subq)
                .order_by(User.id, address_subq.id))
        out.append([(u.name, a.email_address) for u, a in session.execute(stmt)])
        out.append(session.scalar(sa.select(User).where(User.id == 1)).name)
        out.append(session.scalars(sa.select(User.id).where(
            User.addresses.any(Address.email_address.contains("squirrel")))).all())
        out.append(session.scalars(sa.select(Address.email_address).where(
            Address.user.has(User.name == "spongebob"))).all())
        out.append(session.scalars(sa.select(User.name).where(
            User.name.between("p", "sb")).order_by(User.name)).all())
        out.append(session.scalars(sa.select(User.name).where(User.fullname.ilike(
            "%STAR%"))).all())
        out.append(session.scalars(sa.select(User.name).where(User.name.not_in(
            ["sandy"])).order_by(User.id)).all())
        out.append(session.scalars(sa.select(User.name).where(User.name.startswith(
            "s")).order_by(User.id).limit(1).offset(1)).all())
        out.append(session.execute(sa.select(User.name).distinct().order_by(User.name))
                   .scalars().all())
        out.append(session.execute(sa.select(User.id, User.name).order_by(User.id))
                   .mappings().all()[0] == {"id": 1, "name": "spongebob"})
        res = session.execute(sa.select(User.id, User.name).order_by(User.id))
        out.append(list(res.keys()))
        out.append(res.fetchone()._asdict())
        out.append([tuple(r) for r in res.fetchmany(1)])
        out.append(session.execute(sa.select(User.name).where(User.id == 9)).scalar_one_or_none())
        out.append(session.execute(sa.select(User.id).order_by(User.id)).scalars().first())
        out.append(list(session.execute(sa.select(User.id, User.name).order_by(User.id))
                        .columns("name")))
        out.append(session.execute(sa.select(User.id).order_by(User.id)).scalars().fetchall())
        out.append([tuple(x) for x in session.execute(
            sa.select(User.id, User.name).order_by(User.id)).tuples()])
        out.append(session.execute(sa.select(User.name).where(User.id == 2)).one().name)
    return out


def orm_aliased(sa: Any, orm: Any, url: str) -> Any:
    engine, User, Address = _setup(sa, orm, url)
    out: list[Any] = []
    with orm.Session(engine) as session:
        address_alias_1 = orm.aliased(Address)
        address_alias_2 = orm.aliased(Address)
        stmt = (sa.select(User).join_from(User, address_alias_1)
                .where(address_alias_1.email_address == "sandy@sqlalchemy.org")
                .join_from(User, address_alias_2)
                .where(address_alias_2.email_address == "sandy@squirrelpower.org"))
        out.append([u.name for u in session.scalars(stmt)])
        stmt = (sa.select(User).join(User.addresses.of_type(address_alias_1))
                .where(address_alias_1.email_address == "spongebob@sqlalchemy.org"))
        out.append([u.name for u in session.scalars(stmt)])
        u2 = orm.aliased(User, name="u2")
        stmt = (sa.select(User.name, u2.name).join(u2, User.id < u2.id)
                .order_by(User.id, u2.id))
        out.append([tuple(r) for r in session.execute(stmt)])
        stmt = sa.select(User, u2).join(u2, User.id == u2.id - 1).order_by(User.id)
        rows = session.execute(stmt).all()
        out.append([(a.name, b.name) for a, b in rows])
        out.append(list(session.execute(stmt).keys()))
        out.append(rows[0].u2.name)
        out.append(rows[0][1] is session.get(User, 2))
        out.append([u.name for u in session.scalars(sa.select(u2).where(u2.name != "sandy")
                                                     .order_by(u2.name))])
        q = session.query(u2).filter(u2.id > 1).order_by(u2.id.desc())
        out.append([u.name for u in q])
        out.append(q.count())
        out.append(q.first().name)
        q = session.query(User.name, address_alias_1.email_address).join(
            address_alias_1, User.addresses).order_by(address_alias_1.id)
        out.append([tuple(r) for r in q.all()])
        q = session.query(User).join(User.addresses.of_type(address_alias_1)).filter(
            address_alias_1.email_address.like("sandy%")).distinct()
        out.append([u.name for u in q])
        q = session.query(User.name).outerjoin(
            address_alias_1, User.id == address_alias_1.user_id).filter(
            address_alias_1.id.is_(None))
        out.append([tuple(r) for r in q])
        stmt = sa.select(u2.name, sa.func.count(address_alias_2.id)).join(
            u2.addresses.of_type(address_alias_2)).group_by(u2.name).order_by(u2.name)
        out.append([tuple(r) for r in session.execute(stmt)])
        stmt = sa.select(u2.name, Address.email_address).join(u2.addresses).order_by(
            Address.id)
        out.append([tuple(r) for r in session.execute(stmt)])
        out.append(session.scalars(sa.select(u2.name).where(u2.addresses.any(
            Address.email_address.like("%squirrel%")))).all())
        out.append(session.scalars(sa.select(u2.name).where(~u2.addresses.any())).all())
        a3 = orm.aliased(Address)
        out.append(session.scalars(sa.select(a3.email_address).where(a3.user.has(
            name="spongebob"))).all())
        out.append(sa.inspect(u2).mapper.class_.__name__)
        session.expunge_all()
        stmt = sa.select(u2).options(orm.selectinload(u2.addresses)).order_by(u2.id)
        out.append([(u.name, len(u.addresses)) for u in session.scalars(stmt)])
        session.expunge_all()
        stmt = sa.select(u2).options(orm.joinedload(u2.addresses)).order_by(u2.id)
        out.append([(u.name, len(u.addresses)) for u in session.scalars(stmt).unique()])
        session.expunge_all()
        out.append([(u.name, len(u.addresses)) for u in session.scalars(stmt.limit(2)).unique()])
        stmt = sa.select(User).from_statement(sa.text(
            "SELECT * FROM user_account WHERE name = :n"))
        out.append([u.fullname for u in session.scalars(stmt, {"n": "sandy"})])
        out.append(session.execute(stmt, {"n": "sandy"}).scalar_one() is session.get(User, 2))
        q = session.query(User).from_statement(sa.text(
            "SELECT id, name, fullname FROM user_account WHERE id > :i ORDER BY id")).params(i=1)
        out.append([u.name for u in q.all()])
        union = sa.union(sa.select(User).where(User.id == 1), sa.select(User).where(User.id == 3))
        out.append(sorted(u.name for u in session.scalars(sa.select(User).from_statement(union))))
    return out


def orm_dml(sa: Any, orm: Any, url: str) -> Any:
    engine, User, Address = _setup(sa, orm, url)
    out: list[Any] = []
    with orm.Session(engine) as session:
        sandy = session.get(User, 2)
        session.execute(sa.update(User).where(User.name == "sandy").values(
            fullname="Sandy Squirrel"))
        out.append(sandy.fullname)
        session.execute(sa.delete(User).where(User.name == "patrick"))
        out.append(session.scalars(sa.select(User.name).order_by(User.id)).all())
        session.execute(sa.insert(User), [
            {"name": "squidward", "fullname": "Squidward Tentacles"},
            {"name": "ehkrabs", "fullname": "Eugene H. Krabs"},
        ])
        out.append(session.scalar(sa.select(sa.func.count()).select_from(User)))
        session.execute(sa.update(User), [
            {"id": 1, "fullname": "Spongebob Squarepants 2"},
        ])
        session.commit()
        out.append(session.get(User, 1).fullname)
        r = session.execute(sa.update(User).where(User.name.in_(["squidward", "ehkrabs"])).values(
            fullname=User.fullname + "!").execution_options(synchronize_session="fetch"))
        out.append(r.rowcount)
        session.commit()
        out.append(session.scalars(sa.select(User.fullname).order_by(User.id)).all())
    return out


def orm_session_ops(sa: Any, orm: Any, url: str) -> Any:
    engine, User, Address = _setup(sa, orm, url)
    out: list[Any] = []
    SessionLocal = orm.sessionmaker(bind=engine, expire_on_commit=False)
    with SessionLocal.begin() as session:
        session.add(User(name="squidward", fullname="Squidward Tentacles"))
    with SessionLocal() as session:
        u = session.get(User, 4)
        out.append(u.name)
        out.append(u in session)
        u.fullname = "changed"
        out.append(u in session.dirty)
        out.append(session.is_modified(u))
        session.refresh(u)
        out.append(u.fullname)
        u.fullname = "again"
        session.expire(u)
        out.append(u.fullname)
        session.expire_all()
        out.append(session.get(User, 1).name)
        nested = session.begin_nested()
        session.add(User(name="temp"))
        session.flush()
        out.append(session.scalar(sa.select(sa.func.count(User.id))))
        nested.rollback()
        out.append(session.scalar(sa.select(sa.func.count(User.id))))
        with session.begin_nested():
            session.add(User(name="kept"))
        session.commit()
        out.append(session.scalar(sa.select(sa.func.count(User.id))))
        merged = session.merge(User(id=1, name="sponge", fullname="merged"))
        out.append((merged.name, merged is session.get(User, 1)))
        m2 = session.merge(User(id=50, name="new50"))
        out.append(m2 in session.new)
        session.commit()
        out.append(session.get(User, 50).name)
        session.expunge(m2)
        out.append(m2 in session)
        out.append(orm.object_session(merged) is session)
        out.append(sa.inspect(merged).persistent)
        session.delete(merged)
        out.append(merged in session.deleted)
        session.rollback()
        out.append(merged in session)
        out.append(session.in_transaction())
    scoped = orm.scoped_session(orm.sessionmaker(bind=engine))
    out.append(scoped() is scoped())
    out.append(scoped.query(User).filter_by(name="sandy").one().fullname)
    scoped.remove()
    return out


# ------------------------------------------------------------------------------------
# the 1.x declarative_base + session.query tutorial


def legacy_query(sa: Any, orm: Any, url: str) -> Any:
    Base = orm.declarative_base()

    class User(Base):
        __tablename__ = "users"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(50))
        fullname = sa.Column(sa.String(50))
        nickname = sa.Column(sa.String(50))
        addresses = orm.relationship("Address", back_populates="user", order_by="Address.id")

        def __repr__(self) -> str:
            return f"<User(name='{self.name}', fullname='{self.fullname}', " \
                   f"nickname='{self.nickname}')>"

    class Address(Base):
        __tablename__ = "addresses"
        id = sa.Column(sa.Integer, primary_key=True)
        email_address = sa.Column(sa.String(50), nullable=False)
        user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"))
        user = orm.relationship("User", back_populates="addresses")

    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    Session = orm.sessionmaker(bind=engine)
    session = Session()
    out: list[Any] = []
    ed_user = User(name="ed", fullname="Ed Jones", nickname="edsnickname")
    session.add(ed_user)
    our_user = session.query(User).filter_by(name="ed").first()
    out.append(repr(our_user))
    out.append(ed_user is our_user)
    session.add_all([
        User(name="wendy", fullname="Wendy Williams", nickname="windy"),
        User(name="mary", fullname="Mary Contrary", nickname="mary"),
        User(name="fred", fullname="Fred Flintstone", nickname="freddy")])
    ed_user.nickname = "eddie"
    out.append(len(session.dirty))
    out.append(len(session.new))
    session.commit()
    out.append(ed_user.id)
    ed_user.name = "Edwardo"
    fake_user = User(name="fakeuser", fullname="Invalid", nickname="12345")
    session.add(fake_user)
    out.append(session.query(User).filter(User.name.in_(["Edwardo", "fakeuser"])).count())
    session.rollback()
    out.append(ed_user.name)
    out.append(fake_user in session)
    out.append([(u.name, u.fullname) for u in session.query(User).order_by(User.id)])
    out.append([tuple(r) for r in session.query(User.name, User.fullname).order_by(User.id)])
    out.append([(row.User.name, row.name) for row in session.query(User, User.name)
                .order_by(User.id)])
    out.append([row.name_label for row in session.query(User.name.label("name_label"))
                .order_by(User.id)])
    user_alias = orm.aliased(User, name="user_alias")
    out.append([row.user_alias.name for row in session.query(user_alias, user_alias.name)
                .order_by(user_alias.id)])
    out.append([u.name for u in session.query(User).order_by(User.id)[1:3]])
    out.append(session.query(User).order_by(User.id)[2].name)
    out.append([n for (n,) in session.query(User.name).filter(User.fullname == "Ed Jones")])
    out.append([n for (n,) in session.query(User.name).filter(User.name != "ed")
                .filter(User.fullname.like("%l%")).order_by(User.name)])
    out.append(session.query(User).filter(sa.and_(User.name == "ed",
                                                  User.fullname == "Ed Jones")).one().id)
    out.append(session.query(User.id).filter(sa.or_(User.name == "ed", User.name == "wendy"))
               .order_by(User.id).all() == [(1,), (2,)])
    out.append(session.query(User).filter(User.name.like("%ed")).order_by(User.id)
               .count())
    out.append([u.name for u in session.query(User).filter(~User.name.in_(["ed", "wendy"]))
                .order_by(User.id)])
    out.append([u.id for u in session.query(User).filter(User.nickname.is_not(None))
                .order_by(User.id.desc()).limit(2)])
    out.append([u.id for u in session.query(User).order_by(User.id).offset(1).limit(2)])
    try:
        session.query(User).filter(User.name.like("%ed")).order_by(User.id).one()
    except orm.exc.MultipleResultsFound:
        out.append("multiple")
    try:
        session.query(User).filter(User.id == 99).one()
    except orm.exc.NoResultFound:
        out.append("none")
    out.append(session.query(User).filter(User.id == 99).one_or_none())
    out.append(session.query(User.id).filter(User.name == "ed").scalar())
    out.append(session.query(User).filter(sa.text("id<224")).order_by(sa.text("id")).count())
    out.append(session.query(User).filter(sa.text("id<:value and name=:name")).params(
        value=224, name="fred").one().name)
    out.append(session.query(sa.func.count(User.name), User.name).group_by(User.name)
               .order_by(User.name).all() == [(1, "ed"), (1, "fred"), (1, "mary"),
                                                 (1, "wendy")])
    out.append(session.query(sa.func.count("*")).select_from(User).scalar())
    out.append(session.query(sa.func.count(User.id)).scalar())
    jack = User(name="jack", fullname="Jack Bean", nickname="gjffdd")
    jack.addresses = [Address(email_address="jack@google.com"),
                      Address(email_address="j25@yahoo.com")]
    out.append(jack.addresses[1].user is jack)
    session.add(jack)
    session.commit()
    jack = session.query(User).filter_by(name="jack").one()
    out.append([a.email_address for a in jack.addresses])
    out.append([(u.name, a.email_address) for u, a in session.query(User, Address).filter(
        User.id == Address.user_id).filter(Address.email_address == "jack@google.com")])
    out.append([u.name for u in session.query(User).join(Address).filter(
        Address.email_address == "jack@google.com")])
    out.append([u.name for u in session.query(User).join(User.addresses).filter(
        Address.email_address == "j25@yahoo.com")])
    out.append([(u.name, a) for u, a in session.query(User, Address.id).outerjoin(
        User.addresses).order_by(User.id, Address.id)])
    adalias1 = orm.aliased(Address)
    adalias2 = orm.aliased(Address)
    out.append([(u, e1, e2) for u, e1, e2 in session.query(
        User.name, adalias1.email_address, adalias2.email_address).join(
        adalias1, User.addresses).join(adalias2, User.addresses).filter(
        adalias1.email_address == "jack@google.com").filter(
        adalias2.email_address == "j25@yahoo.com")])
    stmt = session.query(Address.user_id, sa.func.count("*").label("address_count")) \
        .group_by(Address.user_id).subquery()
    out.append([(u.name, c) for u, c in session.query(User, stmt.c.address_count).outerjoin(
        stmt, User.id == stmt.c.user_id).order_by(User.id)])
    stmt = session.query(Address).filter(Address.email_address != "j25@yahoo.com").subquery()
    adalias = orm.aliased(Address, stmt)
    out.append([(u.name, a.email_address) for u, a in session.query(User, adalias).join(
        adalias, User.addresses)])
    stmt = sa.exists().where(Address.user_id == User.id)
    out.append([n for (n,) in session.query(User.name).filter(stmt)])
    out.append([n for (n,) in session.query(User.name).filter(User.addresses.any())])
    out.append([n for (n,) in session.query(User.name).filter(
        User.addresses.any(Address.email_address.like("%google%")))])
    out.append(session.query(Address).filter(~Address.user.has(User.name == "jack")).all())
    out.append(session.query(User.name).filter(User.addresses.contains(
        jack.addresses[0])).scalar())
    out.append([a.email_address for a in session.query(Address).filter(
        orm.with_parent(jack, User.addresses)).order_by(Address.id)])
    out.append(session.query(sa.exists().where(User.name == "jack")).scalar())
    out.append(session.query(User).filter(User.name == "jack").exists() is not None)
    jack = session.query(User).filter_by(name="jack").one()
    jack.addresses.pop()
    session.commit()
    out.append(session.query(Address).count())
    out.append(session.query(User).filter(User.name == "fred").update(
        {"nickname": "fr"}, synchronize_session="evaluate"))
    out.append(session.query(User).filter_by(name="fred").one().nickname)
    out.append(session.query(User).filter(User.name == "mary").delete(
        synchronize_session=False))
    session.commit()
    out.append(session.query(User).count())
    out.append(session.query(User).get(2).name)
    out.append([n for (n,) in session.query(User.name).order_by(sa.desc(User.name)).all()])
    out.append(session.query(User.name).distinct().count())
    out.append([u.name for u in session.query(User).filter(User.id.in_(
        session.query(Address.user_id))).all()])
    session.close()
    return out


PROGRAMS = [quickstart, core_basics, orm_select, orm_aliased, orm_dml, orm_session_ops,
            legacy_query]


# ------------------------------------------------------------------------------------
# batch 2: Result/Row API, more Query methods, Core DML extras, session patterns


def result_api(sa: Any, orm: Any, url: str) -> Any:
    engine, User, Address = _setup(sa, orm, url)
    out: list[Any] = []
    with engine.connect() as conn:
        t = User.__table__
        res = conn.execute(sa.select(t.c.id, t.c.name).order_by(t.c.id))
        row = res.first()
        out.append((row[0], row.name, row._mapping["name"], row._fields, tuple(row._t)))
        out.append(row._asdict())
        out.append(row == (1, "spongebob"))
        out.append(len(row))
        out.append(conn.execute(sa.select(t.c.name).order_by(t.c.id)).scalars().all())
        out.append(conn.execute(sa.select(t.c.name).where(t.c.id == 2)).scalar_one())
        out.append(conn.execute(sa.select(t.c.name).where(t.c.id == 9)).scalar())
        out.append(conn.execute(sa.select(t.c.name).where(t.c.id == 9)).first())
        out.append([dict(m) for m in conn.execute(sa.select(t.c.id, t.c.name)
                                                   .order_by(t.c.id)).mappings()])
        out.append(conn.execute(sa.select(t.c.id).order_by(t.c.id)).mappings().first()["id"])
        res = conn.execute(sa.select(t.c.id, t.c.name).order_by(t.c.id))
        out.append([tuple(r) for r in res.fetchmany(2)])
        out.append([tuple(r) for r in res.fetchall()])
        res = conn.execute(sa.select(t.c.id).order_by(t.c.id))
        out.append(next(iter(res))[0])
        res.close()
        res = conn.execute(sa.select(t.c.id, t.c.name).order_by(t.c.id))
        out.append([list(p) for p in res.scalars(1).partitions(2)])
        try:
            conn.execute(sa.select(t.c.id)).one()
        except sa.exc.MultipleResultsFound:
            out.append("multiple")
        try:
            conn.execute(sa.select(t.c.id).where(t.c.id == 9)).one()
        except sa.exc.NoResultFound:
            out.append("none")
        res = conn.execute(sa.select(t.c.id, t.c.name).order_by(t.c.id))
        out.append([r for r in res.columns(1, 0)][0] == ("spongebob", 1))
        res = conn.execute(sa.text("SELECT id, name FROM user_account ORDER BY id"))
        out.append([r.name for r in res])
        res = conn.execute(sa.text("SELECT name FROM user_account WHERE id IN (1, 3) "
                                   "ORDER BY id"))
        out.append(res.scalars().all())
        out.append(sorted(conn.execute(sa.select(t.c.name)).scalars().unique().all()))
    with orm.Session(engine) as session:
        res = session.execute(sa.select(User).join(User.addresses).order_by(User.id))
        out.append([u.name for u in res.scalars().unique()])
        res = session.execute(sa.select(User).options(orm.joinedload(User.addresses))
                              .order_by(User.id))
        out.append([(u.name, len(u.addresses)) for u in res.unique().scalars().all()])
        res = session.execute(sa.select(User, Address.email_address).join(User.addresses)
                              .order_by(Address.id))
        out.append([(m["User"].name, m["email_address"]) for m in res.mappings()])
        out.append(session.execute(sa.select(User).where(User.id == 1)).scalar_one().name)
        out.append(session.execute(sa.select(User).where(User.id == 1)).one()[0].name)
        out.append(session.scalars(sa.select(User).where(User.id == 9)).one_or_none())
        out.append(session.scalars(sa.select(User).order_by(User.id)).first().name)
    return out


def query_more(sa: Any, orm: Any, url: str) -> Any:
    engine, User, Address = _setup(sa, orm, url)
    out: list[Any] = []
    Session = orm.sessionmaker(engine)
    with Session() as session:
        q = session.query(User)
        out.append(q.filter_by(name="sandy").first().fullname)
        out.append([u.id for u in q.order_by(User.name).order_by(None).order_by(
            User.id.desc()).all()])
        out.append([tuple(r) for r in q.with_entities(User.id, User.name).order_by(User.id)])
        out.append(session.query(q.filter(User.name == "sandy").exists()).scalar())
        out.append(session.query(User.id).filter(User.name == "nobody").scalar())
        out.append(q.get(3).name)
        out.append(session.get(User, 99))
        out.append([tuple(r) for r in session.query(User.name, Address.email_address).join(
            Address, User.id == Address.user_id).order_by(Address.id)])
        out.append([tuple(r) for r in session.query(Address.email_address).select_from(User)
                    .join(User.addresses).filter(User.name == "sandy")
                    .order_by(Address.email_address)])
        out.append([tuple(r) for r in session.query(User.name, sa.func.count(Address.id))
                    .outerjoin(User.addresses).group_by(User.name)
                    .having(sa.func.count(Address.id) >= 1).order_by(User.name)])
        subq = session.query(Address.user_id).filter(Address.email_address.like("%sandy%")) \
            .subquery()
        out.append([u.name for u in session.query(User).filter(User.id.in_(sa.select(subq)))])
        sq = session.query(sa.func.count(Address.id)).filter(
            Address.user_id == User.id).scalar_subquery()
        out.append([tuple(r) for r in session.query(User.name, sq.label("n")).order_by(User.id)])
        sq2 = session.query(sa.func.max(Address.id)).label("max_id")
        out.append([tuple(r) for r in session.query(User.name, sq2).filter(User.id == 1)])
        out.append([u.name for u in session.query(User).options(
            orm.selectinload(User.addresses)).filter(User.addresses.any()).order_by(User.id)])
        out.append(session.query(User).filter(User.name.in_([])).all())
        out.append(session.query(User).filter(User.name.isnot(None)).count())
        out.append([tuple(r) for r in session.query(User.id, User.name).filter(
            sa.tuple_(User.id, User.name).in_([(1, "spongebob"), (3, "patrick")]))
            .order_by(User.id)])
        out.append([r.name for r in session.query(User).filter(
            sa.func.lower(User.name) == "sandy")])
        out.append(session.query(sa.func.coalesce(sa.func.max(User.id), 0)).scalar())
        out.append([u.name for u in session.query(User).filter(User.fullname.contains("S"))
                    .order_by(User.id)])
        out.append([u.name for u in session.query(User).filter(User.name.endswith("y"))])
        out.append(session.query(User).order_by(User.id).limit(2).count())
        out.append([u.name for u in session.query(User).order_by(User.id).slice(1, 3)])
        out.append(session.query(User).filter(User.id == 1).one().addresses[0].email_address)
        out.append([a.user.name for a in session.query(Address).order_by(Address.id)])
        out.append(session.query(Address).filter(Address.user == session.get(User, 2))
                   .count())
        out.append([u.name for u in session.query(User).filter(
            User.addresses.any(Address.email_address.endswith(".org"))).order_by(User.id)])
        u = session.query(User).filter_by(name="patrick").one()
        out.append(u.addresses)
        out.append([u.name for u in session.query(User).order_by(sa.desc(User.id))][0])
        out.append([u.name for u in session.query(User).order_by(User.fullname.asc())])
        out.append(session.query(User.name).order_by(User.id).all()[0]._asdict())
    return out


def core_dml_more(sa: Any, orm: Any, url: str) -> Any:
    engine = sa.create_engine(url)
    md = sa.MetaData()
    items = sa.Table(
        "items", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("qty", sa.Integer, server_default="0"),
        sa.Column("price", sa.Numeric(10, 2)),
    )
    archive = sa.Table(
        "archive", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(40)),
    )
    md.create_all(engine)
    out: list[Any] = []
    with engine.begin() as conn:
        conn.execute(items.insert(), [{"name": "a", "qty": 1, "price": 1.5},
                                      {"name": "b", "qty": 2, "price": 2}])
        conn.execute(items.insert().values(name="c", price=None))
        out.append(conn.execute(sa.select(items.c.qty).where(items.c.name == "c")).scalar())
        r = conn.execute(items.update().where(items.c.qty < 2).values(qty=items.c.qty + 10))
        out.append(r.rowcount)
        conn.execute(archive.insert().from_select(
            ["id", "name"], sa.select(items.c.id, items.c.name).where(items.c.qty > 5)))
        out.append([tuple(r) for r in conn.execute(archive.select().order_by(archive.c.id))])
        out.append(conn.execute(sa.select(sa.func.sum(items.c.qty))).scalar())
        out.append(str(conn.execute(sa.select(items.c.price).where(items.c.name == "a"))
                       .scalar()))
        out.append(sorted(sa.inspect(engine).get_table_names()))
        r = conn.execute(items.delete().where(items.c.name.in_(["a", "b"])))
        out.append(r.rowcount)
        out.append(conn.execute(sa.select(sa.func.count()).select_from(items)).scalar())
        out.append(items.c.keys())
        out.append([c.name for c in items.primary_key.columns])
        out.append(sa.inspect(engine).has_table("items"))
    md.drop_all(engine)
    out.append(sa.inspect(engine).has_table("items"))
    return out


def session_patterns(sa: Any, orm: Any, url: str) -> Any:
    engine, User, Address = _setup(sa, orm, url)
    out: list[Any] = []
    Session = orm.sessionmaker(engine)
    session = Session()
    try:
        u = User(name="bob")
        session.add(u)
        session.flush()
        out.append(u.id is not None)
        out.append(sa.inspect(u).pending or sa.inspect(u).persistent)
        session.commit()
        out.append({"id", "name", "fullname"} <= sa.inspect(u).expired_attributes)
        out.append(u.name)
        u.addresses.append(Address(email_address="bob@x.org"))
        session.commit()
        out.append([a.email_address for a in u.addresses])
        session.delete(u)
        session.commit()
        out.append(session.query(Address).filter_by(email_address="bob@x.org").count())
    finally:
        session.close()
    with Session() as s1, s1.begin():
        s1.add(User(name="carl"))
    with Session.begin() as s2:
        out.append(s2.query(User).filter_by(name="carl").count())
    try:
        with Session.begin() as s3:
            s3.add(User(name="dora"))
            raise ValueError("boom")
    except ValueError:
        out.append("rolled back")
    with Session() as s4:
        out.append(s4.query(User).filter_by(name="dora").count())
        s4.add(User(name="eve"))
        s4.rollback()
        out.append(s4.query(User).filter_by(name="eve").count())
        try:
            s4.add(User(id=1, name="dup"))
            s4.flush()
        except sa.exc.IntegrityError:
            s4.rollback()
            out.append("integrity")
        out.append(s4.get(User, 1).name)
        users = s4.scalars(sa.select(User).order_by(User.id)).all()
        out.append(len(users))
        with s4.no_autoflush:
            s4.add(User(name="frank"))
            out.append(s4.query(User).filter_by(name="frank").count())
        out.append(s4.query(User).filter_by(name="frank").count())
        s4.expunge_all()
        out.append(len(list(s4)) if hasattr(s4, "__iter__") else 0)
    scoped = orm.scoped_session(orm.sessionmaker(bind=engine))
    scoped.add(User(name="gina"))
    scoped.commit()
    out.append(scoped.query(User).filter(User.name == "gina").one().name)
    out.append(scoped.scalar(sa.select(sa.func.count(User.id))))
    scoped.remove()
    return out


PROGRAMS += [result_api, query_more, core_dml_more, session_patterns]


def dynamic_relationships(sa: Any, orm: Any, url: str) -> Any:
    class Base(orm.DeclarativeBase):
        pass

    class Blog(Base):
        __tablename__ = "blog"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        posts = orm.relationship("Post", lazy="dynamic", order_by="Post.id",
                                 cascade="all, delete-orphan", back_populates="blog")
        comments: orm.WriteOnlyMapped["Comment"] = orm.relationship(
            cascade="all, delete-orphan", passive_deletes=True, order_by="Comment.id")

    class Post(Base):
        __tablename__ = "post"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        blog_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("blog.id"))
        title: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        blog = orm.relationship("Blog", back_populates="posts")

    class Comment(Base):
        __tablename__ = "comment"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        blog_id: orm.Mapped[int] = orm.mapped_column(
            sa.ForeignKey("blog.id", ondelete="CASCADE"))
        text: orm.Mapped[str] = orm.mapped_column(sa.String(30))

    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    out: list[Any] = []
    with orm.Session(engine) as session:
        blog = Blog(name="b1")
        session.add(blog)
        session.commit()
        blog.posts.append(Post(title="first"))
        blog.posts.extend([Post(title="second"), Post(title="third")])
        session.commit()
        out.append(blog.posts.count())
        out.append([p.title for p in blog.posts])
        out.append([p.title for p in blog.posts.filter(Post.title.like("%ir%"))])
        out.append(blog.posts.order_by(None).order_by(Post.id.desc()).first().title)
        out.append(blog.posts[1].title)
        out.append([p.title for p in blog.posts.limit(2).all()])
        second = blog.posts.filter_by(title="second").one()
        blog.posts.remove(second)
        session.commit()
        out.append([p.title for p in blog.posts.all()])
        out.append(session.scalar(sa.select(sa.func.count(Post.id))))
        blog.comments.add(Comment(text="c1"))
        blog.comments.add_all([Comment(text="c2"), Comment(text="c3")])
        session.commit()
        out.append([c.text for c in session.scalars(blog.comments.select())])
        out.append([c.text for c in session.scalars(
            blog.comments.select().where(Comment.text != "c2"))])
    return out


PROGRAMS.append(dynamic_relationships)


def hybrids(sa: Any, orm: Any, url: str) -> Any:
    import importlib

    hybrid = importlib.import_module(sa.__name__ + ".ext.hybrid")

    class Base(orm.DeclarativeBase):
        pass

    class Interval(Base):
        __tablename__ = "interval"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        start: orm.Mapped[int]
        end: orm.Mapped[int]
        first: orm.Mapped[str] = orm.mapped_column(sa.String(20))
        last: orm.Mapped[str] = orm.mapped_column(sa.String(20))

        @hybrid.hybrid_property
        def length(self) -> int:
            return self.end - self.start

        @hybrid.hybrid_method
        def contains(self, point: int) -> Any:
            return (self.start <= point) & (point <= self.end)

        @hybrid.hybrid_property
        def label(self) -> str:
            return self.first + " " + self.last

        @label.inplace.expression
        @classmethod
        def _label_expression(cls) -> Any:
            return sa.func.upper(cls.first + " " + cls.last)

        @hybrid.hybrid_property
        def double_end(self) -> int:
            return self.end * 2

        @double_end.setter
        def double_end(self, value: int) -> None:
            self.end = value // 2

    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    out: list[Any] = []
    with orm.Session(engine) as session:
        session.add_all([Interval(start=1, end=5, first="a", last="b"),
                         Interval(start=3, end=20, first="c", last="d")])
        iv = Interval(start=0, end=1, first="e", last="f")
        iv.double_end = 10
        session.add(iv)
        session.commit()
        out.append([i.length for i in session.scalars(sa.select(Interval).order_by(Interval.id))])
        out.append(session.scalars(sa.select(Interval.id).where(Interval.length > 4)
                                   .order_by(Interval.id)).all())
        out.append(session.scalars(sa.select(Interval.id).where(Interval.contains(4))
                                   .order_by(Interval.id)).all())
        out.append(session.get(Interval, 1).contains(4))
        out.append(session.get(Interval, 2).label)
        out.append(session.scalars(sa.select(Interval.label).order_by(Interval.id)).all())
        out.append(session.query(Interval).filter(Interval.label == "C D").one().id)
        out.append(session.get(Interval, 3).end)
    return out


PROGRAMS.append(hybrids)


def inheritance(sa: Any, orm: Any, url: str) -> Any:
    """The inheritance docs' Employee/Engineer/Manager, joined-table and single-table."""

    class Base(orm.DeclarativeBase):
        pass

    class Company(Base):
        __tablename__ = "company"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(50))
        employees: orm.Mapped[list["Employee"]] = orm.relationship(
            back_populates="company", order_by="Employee.id")

    class Employee(Base):
        __tablename__ = "employee"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(50))
        type: orm.Mapped[str] = orm.mapped_column(sa.String(20))
        company_id: orm.Mapped[Optional[int]] = orm.mapped_column(  # noqa: UP045
            sa.ForeignKey("company.id"))
        company: orm.Mapped[Optional[Company]] = orm.relationship(  # noqa: UP045
            back_populates="employees")
        __mapper_args__ = {"polymorphic_identity": "employee", "polymorphic_on": "type"}

    class Engineer(Employee):
        __tablename__ = "engineer"
        id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("employee.id"), primary_key=True)
        engineer_name: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        __mapper_args__ = {"polymorphic_identity": "engineer"}

    class Manager(Employee):
        __tablename__ = "manager"
        id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("employee.id"), primary_key=True)
        manager_name: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        __mapper_args__ = {"polymorphic_identity": "manager"}

    class SBase(orm.DeclarativeBase):
        pass

    class Animal(SBase):
        __tablename__ = "animal"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        kind: orm.Mapped[str] = orm.mapped_column(sa.String(10))
        __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "animal"}

    class Dog(Animal):
        bark: orm.Mapped[Optional[str]] = orm.mapped_column(sa.String(20))  # noqa: UP045
        __mapper_args__ = {"polymorphic_identity": "dog"}

    class Puppy(Dog):
        __mapper_args__ = {"polymorphic_identity": "puppy"}

    class Cat(Animal):
        lives: orm.Mapped[Optional[int]]  # noqa: UP045
        __mapper_args__ = {"polymorphic_identity": "cat"}

    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    SBase.metadata.create_all(engine)
    out: list[Any] = []
    m = sa.inspect(Engineer)
    out.append([m.inherits.class_.__name__, m.base_mapper.class_.__name__,
                m.polymorphic_identity, m.polymorphic_on.name, sorted(m.polymorphic_map),
                m.local_table.name, sa.inspect(Dog).single, sa.inspect(Dog).local_table.name])
    out.append([c.name for c in Animal.__table__.columns])
    out.append(Manager(name="x").type)
    with orm.Session(engine) as session:
        session.add(Company(name="acme", employees=[
            Engineer(name="dilbert", engineer_name="eng1"),
            Manager(name="pointy", manager_name="mgr1"),
            Employee(name="wally"),
            Engineer(name="alice", engineer_name="eng2")]))
        session.add_all([Dog(name="rex", bark="woof"), Cat(name="tom", lives=9),
                         Puppy(name="bit", bark="yip"), Animal(name="blob")])
        session.commit()
        emps = session.scalars(sa.select(Employee).order_by(Employee.id)).all()
        out.append([(type(e).__name__, e.name) for e in emps])
        out.append([e.engineer_name for e in emps if isinstance(e, Engineer)])
        out.append(session.scalars(sa.select(Engineer.engineer_name).order_by(Engineer.id)).all())
        out.append([e.name for e in session.scalars(
            sa.select(Engineer).where(Engineer.engineer_name == "eng2"))])
        out.append(session.query(Manager).count())
        wp = orm.with_polymorphic(Employee, [Engineer, Manager])
        out.append([(type(e).__name__, e.id) for e in session.scalars(
            sa.select(wp).where(sa.or_(wp.Engineer.engineer_name == "eng1",
                                       wp.Manager.manager_name == "mgr1")).order_by(wp.id))])
        out.append(session.execute(
            sa.select(Company.name).join(Company.employees.of_type(Engineer))
            .where(Engineer.engineer_name == "eng1")).all())
        eng = session.get(Engineer, 1)
        out.append([eng.name, session.get(Manager, 1), type(session.get(Employee, 2)).__name__])
        eng.engineer_name = "renamed"
        eng.name = "dogbert"
        session.commit()
        out.append(session.execute(sa.text(
            "SELECT e.name, g.engineer_name FROM employee e JOIN engineer g ON e.id = g.id "
            "ORDER BY e.id")).all())
        session.delete(session.get(Manager, 2))
        session.commit()
        out.append([session.scalar(sa.select(sa.func.count()).select_from(t))
                    for t in (Employee.__table__, Manager.__table__)])
        acme = session.scalars(sa.select(Company)).one()
        out.append([type(e).__name__ for e in acme.employees])
        animals = session.scalars(sa.select(Animal).order_by(Animal.id)).all()
        out.append([(type(a).__name__, a.name) for a in animals])
        out.append([(d.name, d.bark) for d in session.scalars(
            sa.select(Dog).order_by(Dog.id))])
        out.append(session.query(Cat).one().lives)
        out.append(session.scalars(sa.select(Dog.name).order_by(Dog.id)).all())
        out.append(session.scalars(sa.select(Engineer.name).order_by(Engineer.id)).all())
        out.append(session.query(Dog).filter(Dog.bark == "yip").one().name)
        out.append(session.execute(sa.text(
            "SELECT name, kind FROM animal ORDER BY id")).all())
        out.append([session.get(Cat, 1), session.get(Dog, 3).name])
    return out


PROGRAMS.append(inheritance)


def column_features(sa: Any, orm: Any, url: str) -> Any:
    """column_property, deferred columns and options, synonym, validates, refresh(attrs),
    get() of expired objects, association_proxy."""
    import importlib

    ap = importlib.import_module(sa.__name__ + ".ext.associationproxy")

    class Base(orm.DeclarativeBase):
        pass

    class Book(Base):
        __tablename__ = "cp_book"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        title: orm.Mapped[str] = orm.mapped_column(sa.String(40))
        pages: orm.Mapped[int] = orm.mapped_column()
        author_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("cp_author.id"))

    tags = sa.Table("cp_author_tag", Base.metadata,
                    sa.Column("author_id", sa.ForeignKey("cp_author.id"), primary_key=True),
                    sa.Column("tag_id", sa.ForeignKey("cp_tag.id"), primary_key=True))

    class Tag(Base):
        __tablename__ = "cp_tag"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        word: orm.Mapped[str] = orm.mapped_column(sa.String(20))

    class Author(Base):
        __tablename__ = "cp_author"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        first: orm.Mapped[str] = orm.mapped_column(sa.String(20))
        last: orm.Mapped[str] = orm.mapped_column(sa.String(20))
        bio: orm.Mapped[Optional[str]] = orm.mapped_column(sa.Text, deferred=True)  # noqa: UP045
        photo = orm.deferred(sa.Column(sa.String(20)), group="media")
        thumb = orm.deferred(sa.Column(sa.String(20)), group="media")
        full = orm.column_property(first + " " + last)
        books_n = orm.column_property(
            sa.select(sa.func.count(Book.id)).where(Book.author_id == id)
            .correlate_except(Book).scalar_subquery())
        name = orm.synonym("first")
        books: orm.Mapped[list[Book]] = orm.relationship(order_by=Book.id)
        tag_list: orm.Mapped[list[Tag]] = orm.relationship(secondary=tags, order_by=Tag.id)
        tag_words = ap.association_proxy("tag_list", "word", creator=lambda w: Tag(word=w))

        @orm.validates("last")
        def _last(self, key: str, value: str) -> str:
            if not value:
                raise ValueError("empty")
            return value.strip()

    def unloaded(obj: Any) -> list[str]:  # column attributes only
        return sorted(k for k in sa.inspect(obj).unloaded
                      if k in sa.inspect(type(obj)).column_attrs)

    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    out: list[Any] = []
    with orm.Session(engine) as session:
        ada = Author(id=1, first="Ada", last=" Lovelace ", bio="bio", photo="p", thumb="t")
        ada.tag_words.append("math")
        ada.tag_words.extend(["poetry"])
        session.add(ada)
        session.add(Author(id=2, first="Alan", last="Turing"))
        session.flush()
        session.add_all([Book(id=1, title="A", pages=3, author_id=1),
                         Book(id=2, title="B", pages=5, author_id=1)])
        session.commit()
        try:
            ada.last = ""
        except ValueError as err:
            out.append(str(err))
        out.append(ada.last)
        session.expunge_all()
        a = session.scalars(sa.select(Author).where(Author.full == "Ada Lovelace")).one()
        out.append((a.full, a.books_n, unloaded(a)))
        out.append((a.bio, unloaded(a)))
        out.append((a.photo, unloaded(a)))
        out.append([x.id for x in session.scalars(
            sa.select(Author).order_by(Author.books_n.desc(), Author.name))])
        out.append(list(a.tag_words))
        session.expunge_all()
        b = session.scalars(sa.select(Book).options(orm.load_only(Book.title))
                            .where(Book.id == 2)).one()
        out.append(unloaded(b))
        out.append(b.pages)
        session.expunge_all()
        u = session.scalars(sa.select(Author).options(
            orm.undefer(Author.bio), orm.undefer_group("media"), orm.defer(Author.last))
            .where(Author.id == 1)).one()
        out.append(unloaded(u))
        u.first = "Augusta"
        session.refresh(u, ["bio"])
        out.append((u.first, u.bio))
        session.expire(u)
        a2 = session.get(Author, 2)
        session.connection().execute(sa.delete(Author.__table__).where(
            Author.__table__.c.id == 2))
        session.expire(a2)
        out.append(session.get(Author, 2))
        out.append(session.get(Author, 1).first)
        out.append(session.query(Author).filter_by(name="Ada").count())
        s = session.scalars(sa.select(Author).options(
            orm.selectinload(Author.books).load_only(Book.pages))).one()
        out.append([(bk.pages, unloaded(bk)) for bk in s.books])
    return out


PROGRAMS.append(column_features)
