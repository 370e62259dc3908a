"""The search engines behind the seam (docs/scaling.md): each a subpackage; only these talk to an engine."""
