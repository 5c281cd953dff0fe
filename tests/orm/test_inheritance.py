"""Mapper inheritance: single-table and joined-table hierarchies on every backend.

The models follow SQLAlchemy's inheritance documentation (Employee / Engineer / Manager,
with a Company owning employees): single-table in the 1.x ``declarative_base()`` + Column
style, joined-table in the 2.0 ``DeclarativeBase`` + ``Mapped`` style.
"""

from __future__ import annotations

from typing import Any

import pytest

from athanor import Column, ForeignKey, Integer, String, inspect, select, text
from athanor.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    declarative_base,
    mapped_column,
    relationship,
    selectinload,
    with_polymorphic,
)
from athanor.orm.exc import MappingError

# --------------------------------------------------------------------------------------
# single-table inheritance, declarative_base() + Column

SBase = declarative_base()


class SCompany(SBase):
    __tablename__ = "s_company"
    id = Column(Integer, primary_key=True)
    name = Column(String(50))
    employees = relationship("SEmployee", back_populates="company", order_by="SEmployee.id")


class SEmployee(SBase):
    __tablename__ = "s_employee"
    id = Column(Integer, primary_key=True)
    name = Column(String(50), nullable=False)
    type = Column(String(20), nullable=False)
    company_id = Column(ForeignKey("s_company.id"))
    company = relationship("SCompany", back_populates="employees")
    __mapper_args__ = {"polymorphic_on": type, "polymorphic_identity": "employee"}


class SEngineer(SEmployee):
    engineer_info = Column(String(50))
    __mapper_args__ = {"polymorphic_identity": "engineer"}


class SSeniorEngineer(SEngineer):
    mentor = Column(String(50))
    __mapper_args__ = {"polymorphic_identity": "senior"}


class SManager(SEmployee):
    manager_data = Column(String(50))
    __mapper_args__ = {"polymorphic_identity": "manager"}


def _s_seed(engine: Any) -> None:
    SBase.metadata.create_all(engine)
    with Session(engine) as s:
        acme = SCompany(name="acme")
        acme.employees = [
            SEngineer(name="dilbert", engineer_info="c++"),
            SManager(name="pointy", manager_data="budget"),
            SEmployee(name="wally"),
            SSeniorEngineer(name="alice", engineer_info="rust", mentor="dilbert"),
        ]
        s.add(acme)
        s.commit()


def test_single_table_create_all_puts_subclass_columns_in_the_parent_table(engine: Any) -> None:
    SBase.metadata.create_all(engine)
    table = SEmployee.__table__
    assert SManager.__table__ is table
    assert [c.name for c in table.columns] == [
        "id", "name", "type", "company_id", "engineer_info", "mentor", "manager_data"]
    assert table.c.manager_data.nullable and table.c.engineer_info.nullable
    assert not hasattr(SEngineer, "manager_data")
    assert "manager_data" not in inspect(SEngineer).attrs


def _raw(engine: Any, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_single_table_inserts_set_the_discriminator(engine: Any) -> None:
    assert SManager(name="x").type == "manager"  # set at construction, as SQLAlchemy does
    _s_seed(engine)
    rows = _raw(engine, "SELECT name, type, engineer_info, manager_data, mentor "
                        "FROM s_employee ORDER BY id")
    assert rows == [
        ("dilbert", "engineer", "c++", None, None),
        ("pointy", "manager", None, "budget", None),
        ("wally", "employee", None, None, None),
        ("alice", "senior", "rust", None, "dilbert"),
    ]


def test_single_table_query_of_the_base_returns_subclass_instances(
        engine: Any, statements: Any) -> None:
    _s_seed(engine)
    with Session(engine) as s:
        statements.statements.clear()
        objs = s.scalars(select(SEmployee).order_by(SEmployee.id)).all()
        assert [type(o) for o in objs] == [SEngineer, SManager, SEmployee, SSeniorEngineer]
        assert objs[1].manager_data == "budget"
        assert objs[3].mentor == "dilbert" and objs[3].engineer_info == "rust"
        assert len(statements.sql("SELECT")) == 1  # subclass columns came with the row
        assert [type(o) for o in s.query(SEmployee).order_by(SEmployee.id)] == [
            SEngineer, SManager, SEmployee, SSeniorEngineer]


def test_single_table_query_of_a_subclass_filters_on_its_identities(
        engine: Any, statements: Any) -> None:
    _s_seed(engine)
    with Session(engine) as s:
        statements.statements.clear()
        engineers = s.scalars(select(SEngineer).order_by(SEngineer.id)).all()
        assert [e.name for e in engineers] == ["dilbert", "alice"]
        assert [type(e) for e in engineers] == [SEngineer, SSeniorEngineer]
        sql = statements.sql("SELECT")[0]
        assert "IN" in sql and "s_employee.type" in sql
        assert s.query(SManager).count() == 1
        assert s.query(SEngineer).count() == 2
        assert s.query(SSeniorEngineer).one().name == "alice"
        assert s.query(SEngineer).filter_by(name="alice").one().mentor == "dilbert"
        assert s.query(SManager).filter_by(name="dilbert").all() == []
        assert s.scalars(select(SManager.name)).all() == ["pointy"]
        assert sorted(s.scalars(select(SEngineer.name))) == ["alice", "dilbert"]
        assert [r.name for r in s.query(SManager.name)] == ["pointy"]
        assert len(s.scalars(select(SEmployee.name)).all()) == 4


def test_single_table_filter_on_a_subclass_column(engine: Any) -> None:
    _s_seed(engine)
    with Session(engine) as s:
        found = s.query(SEmployee).filter(SManager.manager_data == "budget").all()
        assert [type(o) for o in found] == [SManager]
        found = s.scalars(select(SEngineer).where(SEngineer.engineer_info == "rust")).all()
        assert [o.name for o in found] == ["alice"]


def test_single_table_update_and_delete(engine: Any) -> None:
    _s_seed(engine)
    with Session(engine) as s:
        mgr = s.scalars(select(SManager)).one()
        mgr.manager_data = "more budget"
        eng = s.scalars(select(SEngineer).where(SEngineer.name == "dilbert")).one()
        s.delete(eng)
        s.commit()
    assert _raw(engine, "SELECT name, manager_data FROM s_employee WHERE type = 'manager'") == [
        ("pointy", "more budget")]
    assert _raw(engine, "SELECT count(*) FROM s_employee")[0][0] == 3


def test_single_table_get(engine: Any, statements: Any) -> None:
    _s_seed(engine)
    with Session(engine) as s:
        mgr = s.get(SManager, 2)
        assert type(mgr) is SManager and mgr.manager_data == "budget"
        statements.statements.clear()
        assert s.get(SEngineer, 2) is None  # a manager's key: no engineer, no SQL
        assert s.get(SEmployee, 2) is mgr
        assert statements.sql("SELECT") == []
        assert type(s.get(SEmployee, 4)) is SSeniorEngineer
        assert s.get(SManager, 3) is None  # a plain employee


def test_single_table_relationships(engine: Any, statements: Any) -> None:
    _s_seed(engine)
    with Session(engine) as s:
        acme = s.scalars(select(SCompany)).one()
        statements.statements.clear()
        assert [type(e) for e in acme.employees] == [SEngineer, SManager, SEmployee,
                                                     SSeniorEngineer]
        assert acme.employees[1].manager_data == "budget"
        assert acme.employees[3].mentor == "dilbert"
        assert len(statements.sql("SELECT")) == 1  # subclass columns came with the rows
        mgr = s.scalars(select(SManager)).one()
        assert mgr.company is acme
        acme.employees.append(SManager(name="catbert", manager_data="hr"))
        s.commit()
    with Session(engine) as s:
        statements.statements.clear()
        acme = s.scalars(select(SCompany).options(selectinload(SCompany.employees))).one()
        assert [e.manager_data for e in acme.employees if isinstance(e, SManager)] == [
            "budget", "hr"]
        assert len(statements.sql("SELECT")) == 2
        s.expunge_all()
        statements.statements.clear()
        assert s.get(SEmployee, 4).mentor == "dilbert"  # get() of the base: one SELECT
        assert len(statements.sql("SELECT")) == 1


def test_single_table_unknown_discriminator_raises(engine: Any) -> None:
    _s_seed(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO s_employee (name, type) VALUES ('ghost', 'intern')"))
    with Session(engine) as s, pytest.raises(MappingError) as err:
        s.scalars(select(SEmployee)).all()
    msg = str(err.value)
    assert "'intern'" in msg and "'manager'" in msg and "'engineer'" in msg


def test_mapper_inspection_attributes() -> None:
    m = inspect(SManager)
    assert m.inherits is inspect(SEmployee)
    assert m.base_mapper is inspect(SEmployee)
    assert inspect(SSeniorEngineer).inherits is inspect(SEngineer)
    assert m.polymorphic_identity == "manager"
    assert m.polymorphic_on is SEmployee.__table__.c.type
    assert m.polymorphic_map["engineer"] is inspect(SEngineer)
    assert set(m.polymorphic_map) == {"employee", "engineer", "senior", "manager"}
    assert m.single and not inspect(SEmployee).single
    assert inspect(SEmployee).inherits is None
    assert inspect(SEmployee).base_mapper is inspect(SEmployee)
    assert inspect(SEngineer).isa(inspect(SEmployee))
    assert inspect(SEmployee).self_and_descendants[0] is inspect(SEmployee)


# --------------------------------------------------------------------------------------
# joined-table inheritance, DeclarativeBase + Mapped


class JBase(DeclarativeBase):
    pass


class Company(JBase):
    __tablename__ = "j_company"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    employees: Mapped[list[Employee]] = relationship(
        back_populates="company", order_by="Employee.id", cascade="all, delete-orphan")


class Employee(JBase):
    __tablename__ = "j_employee"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    type: Mapped[str] = mapped_column(String(20))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("j_company.id"))
    company: Mapped[Company | None] = relationship(back_populates="employees")
    __mapper_args__ = {"polymorphic_identity": "employee", "polymorphic_on": "type"}


class Engineer(Employee):
    __tablename__ = "j_engineer"
    id: Mapped[int] = mapped_column(ForeignKey("j_employee.id"), primary_key=True)
    engineer_name: Mapped[str] = mapped_column(String(30))
    __mapper_args__ = {"polymorphic_identity": "engineer"}


class SeniorEngineer(Engineer):
    __tablename__ = "j_senior"
    id: Mapped[int] = mapped_column(ForeignKey("j_engineer.id"), primary_key=True)
    level: Mapped[int]
    __mapper_args__ = {"polymorphic_identity": "senior"}


class Manager(Employee):
    __tablename__ = "j_manager"
    id: Mapped[int] = mapped_column(ForeignKey("j_employee.id"), primary_key=True)
    manager_name: Mapped[str] = mapped_column(String(30))
    __mapper_args__ = {"polymorphic_identity": "manager"}


def _j_seed(engine: Any) -> None:
    JBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(Company(name="acme", employees=[
            Engineer(name="dilbert", engineer_name="eng1"),
            Manager(name="pointy", manager_name="mgr1"),
            Employee(name="wally"),
            SeniorEngineer(name="alice", engineer_name="eng2", level=3),
        ]))
        s.commit()


def test_joined_create_all_makes_one_table_per_class(engine: Any) -> None:
    JBase.metadata.create_all(engine)
    assert Engineer.__table__.name == "j_engineer"
    assert [c.name for c in Engineer.__table__.columns] == ["id", "engineer_name"]
    assert inspect(Engineer).local_table is Engineer.__table__
    assert inspect(Engineer).tables == [Employee.__table__, Engineer.__table__]
    assert inspect(SeniorEngineer).primary_key == (Employee.__table__.c.id,)


def test_joined_insert_writes_parent_rows_then_child_rows(engine: Any, statements: Any) -> None:
    JBase.metadata.create_all(engine)
    statements.statements.clear()
    _j_seed(engine)
    inserts = statements.sql("INSERT")
    tables = [s.split()[2] for s in inserts]
    # parents first (the child keys come from them), one executemany per child table
    assert tables[0] == "j_company"
    assert tables.index("j_engineer") > max(i for i, t in enumerate(tables) if t == "j_employee")
    assert tables.count("j_engineer") == 1 and tables.count("j_senior") == 1
    assert tables.index("j_senior") > tables.index("j_engineer")
    assert _raw(engine, "SELECT id, type FROM j_employee ORDER BY id") == [
        (1, "engineer"), (2, "manager"), (3, "employee"), (4, "senior")]
    assert _raw(engine, "SELECT id, engineer_name FROM j_engineer ORDER BY id") == [
        (1, "eng1"), (4, "eng2")]
    assert _raw(engine, "SELECT id, level FROM j_senior") == [(4, 3)]
    assert _raw(engine, "SELECT id, manager_name FROM j_manager") == [(2, "mgr1")]


def test_joined_query_of_the_base_loads_subclass_columns_on_access(
        engine: Any, statements: Any) -> None:
    _j_seed(engine)
    with Session(engine) as s:
        statements.statements.clear()
        objs = s.scalars(select(Employee).order_by(Employee.id)).all()
        assert [type(o) for o in objs] == [Engineer, Manager, Employee, SeniorEngineer]
        assert [o.name for o in objs] == ["dilbert", "pointy", "wally", "alice"]
        assert len(statements.sql("SELECT")) == 1
        assert "JOIN" not in statements.sql("SELECT")[0]
        assert objs[0].engineer_name == "eng1"  # one more SELECT for this object
        assert objs[3].level == 3 and objs[3].engineer_name == "eng2"
        assert len(statements.sql("SELECT")) == 3


def test_joined_query_of_a_subclass_joins_its_tables(engine: Any, statements: Any) -> None:
    _j_seed(engine)
    with Session(engine) as s:
        statements.statements.clear()
        found = s.scalars(select(Engineer).where(Engineer.engineer_name == "eng2")).all()
        assert [(type(o), o.name, o.engineer_name) for o in found] == [
            (SeniorEngineer, "alice", "eng2")]
        sql = statements.sql("SELECT")[0]
        assert "JOIN j_engineer" in sql
        assert s.query(Engineer).count() == 2
        assert s.query(Manager).one().manager_name == "mgr1"
        assert [e.name for e in s.query(Engineer).order_by(Engineer.id)] == ["dilbert", "alice"]
        assert s.query(Engineer).filter_by(name="dilbert").one().engineer_name == "eng1"
        assert s.scalars(select(Engineer.engineer_name).order_by(Engineer.id)).all() == [
            "eng1", "eng2"]
        assert s.scalars(select(Engineer.name).order_by(Engineer.id)).all() == [
            "dilbert", "alice"]
        assert s.execute(select(Manager.name, Manager.manager_name)).all() == [
            ("pointy", "mgr1")]


def test_joined_with_polymorphic_loads_every_subclass_in_one_query(
        engine: Any, statements: Any) -> None:
    _j_seed(engine)
    with Session(engine) as s:
        statements.statements.clear()
        wp = with_polymorphic(Employee, [Engineer, Manager])
        objs = s.scalars(select(wp).order_by(wp.id)).all()
        assert [type(o) for o in objs] == [Engineer, Manager, Employee, SeniorEngineer]
        assert objs[0].engineer_name == "eng1" and objs[1].manager_name == "mgr1"
        assert len(statements.sql("SELECT")) == 1
        hit = s.scalars(select(wp).where(wp.Manager.manager_name == "mgr1")).all()
        assert hit == [objs[1]]
        everything = with_polymorphic(Employee, "*")
        found = s.scalars(select(everything).where(SeniorEngineer.level == 3)).all()
        assert [o.name for o in found] == ["alice"]
        q = s.query(wp).filter(wp.Engineer.engineer_name == "eng1").all()
        assert [o.name for o in q] == ["dilbert"]


def test_joined_update_touches_only_changed_tables(engine: Any, statements: Any) -> None:
    _j_seed(engine)
    with Session(engine) as s:
        eng = s.get(Engineer, 1)
        eng.engineer_name = "renamed"
        statements.statements.clear()
        s.flush()
        assert [u.split()[1] for u in statements.sql("UPDATE")] == ["j_engineer"]
        eng.name = "dogbert"
        statements.statements.clear()
        s.flush()
        assert [u.split()[1] for u in statements.sql("UPDATE")] == ["j_employee"]
        eng.name, eng.engineer_name = "d2", "e2"
        statements.statements.clear()
        s.commit()
        assert sorted(u.split()[1] for u in statements.sql("UPDATE")) == [
            "j_employee", "j_engineer"]
    assert _raw(engine, "SELECT e.name, g.engineer_name FROM j_employee e JOIN j_engineer g "
                        "ON e.id = g.id WHERE e.id = 1") == [("d2", "e2")]


def test_joined_delete_removes_child_rows_first(engine: Any, statements: Any) -> None:
    _j_seed(engine)
    with Session(engine) as s:
        alice = s.get(SeniorEngineer, 4)
        s.delete(alice)
        statements.statements.clear()
        s.commit()
        assert [d.split()[2] for d in statements.sql("DELETE")] == [
            "j_senior", "j_engineer", "j_employee"]
    assert _raw(engine, "SELECT count(*) FROM j_engineer")[0][0] == 1
    assert _raw(engine, "SELECT count(*) FROM j_employee")[0][0] == 3


def test_joined_get(engine: Any, statements: Any) -> None:
    _j_seed(engine)
    with Session(engine) as s:
        eng = s.get(Engineer, 1)
        assert type(eng) is Engineer and eng.engineer_name == "eng1"
        statements.statements.clear()
        assert s.get(Manager, 1) is None  # an engineer's key: no SQL
        assert s.get(Employee, 1) is eng
        assert statements.sql("SELECT") == []
        assert type(s.get(Employee, 4)) is SeniorEngineer
        assert s.get(Engineer, 2) is None
        assert s.get(SeniorEngineer, 4).level == 3


def test_joined_expire_and_refresh_reload_every_table(engine: Any) -> None:
    _j_seed(engine)
    with Session(engine) as s:
        alice = s.get(SeniorEngineer, 4)
        s.commit()  # expires
        assert (alice.name, alice.engineer_name, alice.level) == ("alice", "eng2", 3)
        s.commit()  # a new transaction sees the other connection's change (MariaDB)
        with engine.begin() as conn:
            conn.execute(text("UPDATE j_senior SET level = 4"))
        s.refresh(alice)
        assert alice.level == 4


def test_joined_relationships_to_the_base(engine: Any) -> None:
    _j_seed(engine)
    with Session(engine) as s:
        acme = s.scalars(select(Company)).one()
        assert [type(e) for e in acme.employees] == [Engineer, Manager, Employee,
                                                     SeniorEngineer]
        assert acme.employees[1].manager_name == "mgr1"
        assert s.get(Manager, 2).company is acme
        acme.employees.append(Manager(name="catbert", manager_name="hr"))
        s.commit()
        assert _raw(engine, "SELECT m.manager_name, e.company_id FROM j_manager m JOIN "
                            "j_employee e ON e.id = m.id ORDER BY m.id") == [
            ("mgr1", 1), ("hr", 1)]
        s.delete(acme)  # cascade="all, delete-orphan" deletes every subclass row
        s.commit()
    for table in ("j_employee", "j_engineer", "j_senior", "j_manager", "j_company"):
        assert _raw(engine, f"SELECT count(*) FROM {table}")[0][0] == 0


def test_joined_of_type_join(engine: Any) -> None:
    _j_seed(engine)
    with Session(engine) as s:
        stmt = (select(Company.name)
                .join(Company.employees.of_type(Engineer))
                .where(Engineer.engineer_name == "eng2"))
        assert s.execute(stmt).all() == [("acme",)]
        q = s.query(Company).join(Company.employees.of_type(Manager)).filter(
            Manager.manager_name == "mgr1")
        assert [c.name for c in q] == ["acme"]


class IBase(DeclarativeBase):
    pass


class Vehicle(IBase):
    __tablename__ = "i_vehicle"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "vehicle"}


class Car(Vehicle):
    __tablename__ = "i_car"
    id: Mapped[int] = mapped_column(ForeignKey("i_vehicle.id"), primary_key=True)
    doors: Mapped[int]
    __mapper_args__ = {"polymorphic_identity": "car", "polymorphic_load": "inline"}


class Bike(Vehicle):
    __tablename__ = "i_bike"
    id: Mapped[int] = mapped_column(ForeignKey("i_vehicle.id"), primary_key=True)
    gears: Mapped[int]
    __mapper_args__ = {"polymorphic_identity": "bike"}


def test_polymorphic_load_inline_joins_the_subclass_table(engine: Any, statements: Any) -> None:
    IBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([Car(doors=4), Bike(gears=21), Car(doors=2)])
        s.commit()
        statements.statements.clear()
        vs = s.scalars(select(Vehicle).order_by(Vehicle.id)).all()
        assert [type(v) for v in vs] == [Car, Bike, Car]
        assert [vs[0].doors, vs[2].doors] == [4, 2]
        assert len(statements.sql("SELECT")) == 1  # cars' columns came inline
        assert vs[1].gears == 21  # bikes load theirs on access
        assert len(statements.sql("SELECT")) == 2


class RBase(DeclarativeBase):
    pass


class RCompany(RBase):
    __tablename__ = "r_company"
    id: Mapped[int] = mapped_column(primary_key=True)
    engineers: Mapped[list[REngineer]] = relationship(viewonly=True, order_by="REngineer.id")
    managers: Mapped[list[RManager]] = relationship(viewonly=True, order_by="RManager.id")


class RPerson(RBase):
    __tablename__ = "r_person"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("r_company.id"))
    __mapper_args__ = {"polymorphic_identity": "person", "polymorphic_on": "kind"}


class REngineer(RPerson):  # joined: the foreign key to the company is on the parent table
    __tablename__ = "r_engineer"
    id: Mapped[int] = mapped_column(ForeignKey("r_person.id"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(10))
    __mapper_args__ = {"polymorphic_identity": "engineer"}


class RManager(RPerson):  # single-table
    budget: Mapped[int | None]
    __mapper_args__ = {"polymorphic_identity": "manager"}


@pytest.mark.parametrize("option", [None, "selectin", "joined"])
def test_relationships_to_subclasses(engine: Any, option: str | None) -> None:
    from athanor.orm import joinedload

    RBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(RCompany(id=1))
        s.flush()
        s.add_all([REngineer(skill="py", company_id=1), RManager(budget=5, company_id=1),
                   RPerson(company_id=1), REngineer(skill="go", company_id=1)])
        s.commit()
    with Session(engine) as s:
        stmt = select(RCompany)
        if option == "selectin":
            stmt = stmt.options(selectinload(RCompany.engineers), selectinload(RCompany.managers))
        elif option == "joined":
            stmt = stmt.options(joinedload(RCompany.engineers), joinedload(RCompany.managers))
        company = s.scalars(stmt).unique().one()
        assert [(type(e), e.skill) for e in company.engineers] == [
            (REngineer, "py"), (REngineer, "go")]
        assert [(type(m), m.budget) for m in company.managers] == [(RManager, 5)]


# --------------------------------------------------------------------------------------
# errors


def test_a_class_with_columns_but_no_table_or_mapped_parent_raises() -> None:
    Base = declarative_base()
    with pytest.raises(MappingError) as err:
        class Orphan(Base):
            name = Column(String(20))
    assert "Orphan" in str(err.value) and "__tablename__" in str(err.value)


def test_a_joined_subclass_table_without_a_foreign_key_raises() -> None:
    class B(DeclarativeBase):
        pass

    class Parent(B):
        __tablename__ = "p"
        id: Mapped[int] = mapped_column(primary_key=True)

    with pytest.raises(MappingError) as err:
        class Child(Parent):
            __tablename__ = "c"
            id: Mapped[int] = mapped_column(primary_key=True)
    assert "Child" in str(err.value) and "foreign key" in str(err.value)


def test_a_duplicate_polymorphic_identity_raises() -> None:
    class B(DeclarativeBase):
        pass

    class P(B):
        __tablename__ = "p"
        id: Mapped[int] = mapped_column(primary_key=True)
        t: Mapped[str]
        __mapper_args__ = {"polymorphic_on": "t", "polymorphic_identity": "p"}

    with pytest.raises(MappingError) as err:
        class Q(P):
            __mapper_args__ = {"polymorphic_identity": "p"}
    assert "'p'" in str(err.value) and "P" in str(err.value)


def test_concrete_inheritance_needs_a_table_of_its_own() -> None:
    class B(DeclarativeBase):
        pass

    class P(B):
        __tablename__ = "p"
        id: Mapped[int] = mapped_column(primary_key=True)
        type: Mapped[str] = mapped_column(String(10))
        __mapper_args__ = {"polymorphic_on": "type"}

    with pytest.raises(MappingError, match="concrete=True needs a table of its own"):
        class Q(P):
            __mapper_args__ = {"concrete": True}


def test_abstract_base_classes_are_not_mapped(engine: Any) -> None:
    class B(DeclarativeBase):
        pass

    class HasName(B):
        __abstract__ = True
        name: Mapped[str] = mapped_column(String(20))

    class Thing(HasName):
        __tablename__ = "abs_thing"
        id: Mapped[int] = mapped_column(primary_key=True)

    B.metadata.create_all(engine)
    assert [c.name for c in Thing.__table__.columns] == ["name", "id"] or [
        c.name for c in Thing.__table__.columns] == ["id", "name"]
    assert inspect(Thing).inherits is None
    with Session(engine) as s:
        s.add(Thing(name="x"))
        s.commit()
        assert s.scalars(select(Thing.name)).all() == ["x"]


def test_polymorphic_on_an_unknown_column_raises() -> None:
    Base = declarative_base()
    with pytest.raises(MappingError) as err:
        class Thing(Base):
            __tablename__ = "poly_unknown"
            id = Column(Integer, primary_key=True)
            __mapper_args__ = {"polymorphic_on": "nope"}
    assert "'nope'" in str(err.value) and "Thing" in str(err.value)


def test_mapper_args_from_declared_attr_and_a_mixin_column(engine: Any) -> None:
    from athanor.orm import declared_attr

    Base = declarative_base()

    class KindMixin:
        kind = Column(String(10))

    class Shape(KindMixin, Base):
        __tablename__ = "m_shape"
        id = Column(Integer, primary_key=True)

        @declared_attr
        def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - declared_attr gets the class
            if cls.__name__ == "Shape":
                return {"polymorphic_on": cls.kind, "polymorphic_identity": "shape"}
            return {"polymorphic_identity": cls.__name__.lower()}

    class Circle(Shape):
        radius = Column(Integer)

    assert inspect(Circle).polymorphic_identity == "circle"
    assert Shape.__table__.c.keys() == ["id", "kind", "radius"]  # own columns first, as SQLAlchemy
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([Shape(), Circle(radius=2)])
        s.commit()
        assert [type(o) for o in s.scalars(select(Shape).order_by(Shape.id))] == [Shape, Circle]


def test_query_bulk_update_and_delete_of_a_single_table_subclass(engine: Any) -> None:
    _s_seed(engine)
    with Session(engine) as s:
        assert s.query(SManager).update({"name": "boss"}) == 1
        assert s.query(SEngineer).filter(SEngineer.name == "alice").delete() == 1
        s.commit()
    assert _raw(engine, "SELECT name FROM s_employee ORDER BY id") == [
        ("dilbert",), ("boss",), ("wally",)]


def test_query_bulk_statements_on_a_joined_subclass(engine: Any) -> None:
    _j_seed(engine)
    with Session(engine) as s:
        assert s.query(Engineer).update({"engineer_name": "x", "name": "n"}) == 2
        s.commit()
    assert _raw(engine, "SELECT name FROM j_employee ORDER BY id") == [
        ("n",), ("pointy",), ("wally",), ("n",)]
    assert _raw(engine, "SELECT engineer_name FROM j_engineer ORDER BY id") == [("x",), ("x",)]


class WBase(DeclarativeBase):
    pass


class WShape(WBase):
    __tablename__ = "w_shape"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "shape",
                       "with_polymorphic": "*"}


class WCircle(WShape):
    __tablename__ = "w_circle"
    id: Mapped[int] = mapped_column(ForeignKey("w_shape.id"), primary_key=True)
    radius: Mapped[int]
    __mapper_args__ = {"polymorphic_identity": "circle"}


class WSquare(WShape):
    __tablename__ = "w_square"
    id: Mapped[int] = mapped_column(ForeignKey("w_shape.id"), primary_key=True)
    side: Mapped[int]
    __mapper_args__ = {"polymorphic_identity": "square"}


def test_with_polymorphic_star_on_the_base_mapper(engine: Any, statements: Any) -> None:
    WBase.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([WCircle(radius=1), WSquare(side=2), WShape()])
        s.commit()
        statements.statements.clear()
        shapes = s.scalars(select(WShape).order_by(WShape.id)).all()
        assert [type(x) for x in shapes] == [WCircle, WSquare, WShape]
        assert (shapes[0].radius, shapes[1].side) == (1, 2)
        s.expunge_all()
        assert s.get(WShape, 2).side == 2
        assert len(statements.sql("SELECT")) == 2
        assert [x.radius for x in s.query(WShape).filter(WCircle.radius == 1)] == [1]


class TBase(DeclarativeBase):
    pass


class TEmployee(TBase):
    __tablename__ = "t_employee"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(20))
    boss_id: Mapped[int | None] = mapped_column(ForeignKey("t_employee.id"))
    boss: Mapped[TEmployee | None] = relationship(remote_side=[id], back_populates="reports")
    reports: Mapped[list[TEmployee]] = relationship(back_populates="boss", order_by=id)
    __mapper_args__ = {"polymorphic_identity": "employee", "polymorphic_on": "type"}


class TEngineer(TEmployee):
    __tablename__ = "t_engineer"
    id: Mapped[int] = mapped_column(ForeignKey("t_employee.id"), primary_key=True)
    __mapper_args__ = {"polymorphic_identity": "engineer"}


class TManager(TEmployee):
    __tablename__ = "t_manager"
    id: Mapped[int] = mapped_column(ForeignKey("t_employee.id"), primary_key=True)
    title: Mapped[str] = mapped_column(String(20))
    __mapper_args__ = {"polymorphic_identity": "manager"}


def test_self_referential_rows_across_subclasses(engine: Any) -> None:
    TBase.metadata.create_all(engine)
    with Session(engine) as s:
        ceo = TManager(name="ceo", title="chief")
        vp = TManager(name="vp", title="vice", boss=ceo)
        s.add(TEngineer(name="eng", boss=vp))  # the bosses follow (save-update cascade)
        s.commit()
        assert _raw(engine, "SELECT name, boss_id FROM t_employee ORDER BY id") == [
            ("ceo", None), ("vp", 1), ("eng", 2)]
    with Session(engine) as s:
        ceo = s.scalars(select(TManager).where(TManager.title == "chief")).one()
        assert [type(r) for r in ceo.reports] == [TManager]
        assert [type(r) for r in ceo.reports[0].reports] == [TEngineer]
        eng = ceo.reports[0].reports[0]
        s.delete(eng)
        s.commit()
    assert _raw(engine, "SELECT count(*) FROM t_engineer")[0][0] == 0
