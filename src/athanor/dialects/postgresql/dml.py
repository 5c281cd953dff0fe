"""``athanor.dialects.postgresql.insert``: SQLAlchemy's dialect-specific upsert spelling.

athanor has one portable :class:`~athanor.sql.dml.Insert` whose upsert methods
(``on_conflict_do_nothing``, ``on_conflict_do_update``, ``on_duplicate_key_update``,
``excluded`` / ``inserted``) compile on every dialect, so this module only re-exports it
under the import path SQLAlchemy code uses.
"""

from __future__ import annotations

from athanor.sql.dml import Insert, insert

__all__ = ["Insert", "insert"]
