"""ORM errors, all deriving from the core tree in :mod:`athanor.exc`.

The ORM raises these when a mapped object or class is used in a way its state does not allow
(detached, deleted, unmapped), or when a flush cannot complete. Messages follow the project
style: what failed, why (names, never row values), and what to do instead.
"""

from __future__ import annotations

from athanor import exc as sa_exc


class UnmappedError(sa_exc.InvalidRequestError):
    """An object or class that is not mapped was given where a mapped one is required."""


class UnmappedInstanceError(UnmappedError):
    """An instance of a class that is not mapped was passed to a Session or to inspect()."""


class UnmappedClassError(UnmappedError):
    """A class that is not mapped was used as an ORM entity."""


class DetachedInstanceError(sa_exc.InvalidRequestError):
    """An attribute that was never loaded was read on an object with no Session to load it."""


class ObjectDeletedError(sa_exc.InvalidRequestError):
    """An expired object's row no longer exists when the ORM tries to refresh it."""


class StaleDataError(sa_exc.AthanorError):
    """An UPDATE or DELETE of one object matched a different number of rows than expected."""


class FlushError(sa_exc.InvalidRequestError):
    """The unit of work could not write the session's changes (for example a missing key)."""


class ConcurrentSessionUseError(sa_exc.InvalidRequestError):
    """One Session was used from two threads at the same time; Sessions are not thread-safe."""


class MappingError(sa_exc.ArgumentError):
    """A class could not be mapped: no table name, no primary key, a bad attribute."""


class ObjectDereferencedError(sa_exc.AthanorError):
    """An operation needed an object that was already garbage collected."""


NoResultFound = sa_exc.NoResultFound
MultipleResultsFound = sa_exc.MultipleResultsFound

__all__ = [
    "UnmappedError",
    "UnmappedInstanceError",
    "UnmappedClassError",
    "DetachedInstanceError",
    "ObjectDeletedError",
    "StaleDataError",
    "FlushError",
    "ConcurrentSessionUseError",
    "MappingError",
    "ObjectDereferencedError",
    "NoResultFound",
    "MultipleResultsFound",
]
