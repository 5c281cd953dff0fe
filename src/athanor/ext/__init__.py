"""Extensions and SQLAlchemy-shaped compatibility paths (``athanor.ext.declarative``, ...)."""
