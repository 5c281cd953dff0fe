"""SQLAlchemy-shaped import path for the types: ``from athanor.types import String``."""

from __future__ import annotations

from athanor.sql.types import *  # noqa: F403
from athanor.sql.types import __all__ as __all__  # noqa: PLE0604
