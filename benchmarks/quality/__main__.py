"""`python -m benchmarks.quality`: see runner.py."""

from .runner import main

raise SystemExit(main())
