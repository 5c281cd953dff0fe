"""The ORM's public enumerations and sentinels, with SQLAlchemy's names and values.

Design
------
These are plain :mod:`enum` classes so that code written against ``sqlalchemy.orm``
(``prop.direction is RelationshipDirection.ONETOMANY``, ``PassiveFlag.PASSIVE_OFF``,
``attrs.x.loaded_value is NO_VALUE``) keeps working. The ORM itself compares relationship
directions by identity with the module-level aliases (``ONETOMANY`` ...), so the members
cost nothing at run time.
"""

from __future__ import annotations

import enum


class RelationshipDirection(enum.Enum):
    """Which side of a relationship holds the foreign key (``RelationshipProperty.direction``)."""

    ONETOMANY = 1
    MANYTOONE = 2
    MANYTOMANY = 3


ONETOMANY = RelationshipDirection.ONETOMANY
MANYTOONE = RelationshipDirection.MANYTOONE
MANYTOMANY = RelationshipDirection.MANYTOMANY


class LoaderCallableStatus(enum.Enum):
    """Markers an attribute loader returns instead of a value."""

    PASSIVE_NO_RESULT = 0
    PASSIVE_CLASS_MISMATCH = 1
    ATTR_WAS_SET = 2
    ATTR_EMPTY = 3
    NO_VALUE = 4
    NEVER_SET = 4
    DONT_SET = 5


NO_VALUE = LoaderCallableStatus.NO_VALUE
NEVER_SET = LoaderCallableStatus.NEVER_SET
PASSIVE_NO_RESULT = LoaderCallableStatus.PASSIVE_NO_RESULT


class PassiveFlag(enum.IntFlag):
    """How far an attribute read may go to produce a value (SQLAlchemy's bit values)."""

    NO_CHANGE = 0
    CALLABLES_OK = 1
    SQL_OK = 2
    RELATED_OBJECT_OK = 4
    INIT_OK = 8
    NON_PERSISTENT_OK = 16
    LOAD_AGAINST_COMMITTED = 32
    NO_AUTOFLUSH = 64
    NO_RAISE = 128
    DEFERRED_HISTORY_LOAD = 256
    INCLUDE_PENDING_MUTATIONS = 512
    PASSIVE_OFF = 31
    PASSIVE_RETURN_NO_VALUE = 23
    PASSIVE_NO_INITIALIZE = 22
    PASSIVE_NO_FETCH = 29
    PASSIVE_NO_FETCH_RELATED = 27
    PASSIVE_ONLY_PERSISTENT = 15
    PASSIVE_MERGE = 159


class EventConstants(enum.Enum):
    """Return values of legacy ORM extension hooks, and the ``NO_KEY`` marker."""

    EXT_CONTINUE = 1
    EXT_STOP = 2
    EXT_SKIP = 3
    NO_KEY = 4


EXT_CONTINUE = EventConstants.EXT_CONTINUE
EXT_STOP = EventConstants.EXT_STOP
EXT_SKIP = EventConstants.EXT_SKIP
NO_KEY = EventConstants.NO_KEY

__all__ = [
    "EXT_CONTINUE", "EXT_SKIP", "EXT_STOP", "EventConstants", "LoaderCallableStatus",
    "MANYTOMANY", "MANYTOONE", "NO_KEY", "NO_VALUE", "ONETOMANY", "PassiveFlag",
    "RelationshipDirection",
]
