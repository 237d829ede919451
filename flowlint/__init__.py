"""flowlint: a static linter for Genesys Cloud Architect flows."""

__version__ = "0.2.0"
