"""The app's version: one place, read by pyproject.toml (the package) and the sidebar."""

__version__ = "0.1.0"
