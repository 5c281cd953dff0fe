"""Entry point: ``python -m benchmarks [options]``."""

from benchmarks.cli import main

raise SystemExit(main())
