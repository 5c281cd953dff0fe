"""The seed's model and its module-level session registry, exactly as in its diagram.

The registry is created at import time with no engine (``scoped_session(sessionmaker())``);
:func:`athanor_demo.cli.setup` binds it once the database URL is known
(``Session.configure(bind=engine)``).
"""

from __future__ import annotations

from typing import Any

from athanor import Column, String
from athanor.ext.declarative import declarative_base
from athanor.orm import scoped_session, sessionmaker

# Session registry is established at startup.
Session = scoped_session(sessionmaker())
Base: Any = declarative_base()
Base.query = Session.query_property()


class Customer(Base):
    __tablename__ = "customer"

    id = Column(String(20), primary_key=True)
    name = Column(String(16))
    phone = Column(String(12))
    address = Column(String(125))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "phone": self.phone, "address": self.address}

    def __repr__(self) -> str:
        return f"<Customer({self.id!r}, {self.name!r}, {self.phone!r})>"
