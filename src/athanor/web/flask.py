"""Flask integration: remove the scoped session when the app context tears down.

Flask pops the application context at the end of every request (after the response is
built, also when a view raised) and runs ``teardown_appcontext`` functions then; removing the
session there closes it, rolls back what is uncommitted and returns the connection. Only Flask
itself is needed; it is imported lazily by the caller's app, not here.
"""

from __future__ import annotations

from typing import Any

from athanor.web.wsgi import SessionRegistry

__all__ = ["FlaskSessionLifecycle", "init_app"]


class FlaskSessionLifecycle:
    """Ties a scoped session registry to a Flask app's request lifecycle.

    ``FlaskSessionLifecycle(Session, app)`` or, application-factory style,
    ``lifecycle = FlaskSessionLifecycle(Session)`` then ``lifecycle.init_app(app)``.
    """

    def __init__(self, registry: SessionRegistry, app: Any = None) -> None:
        self.registry = registry
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Any) -> None:
        """Register the teardown on ``app`` (a ``flask.Flask``)."""
        app.teardown_appcontext(self._teardown)
        app.extensions["athanor"] = self

    def _teardown(self, exc: BaseException | None = None) -> None:
        self.registry.remove()


def init_app(app: Any, registry: SessionRegistry) -> FlaskSessionLifecycle:
    """Remove ``registry``'s session at the end of every request of ``app``."""
    return FlaskSessionLifecycle(registry, app)
