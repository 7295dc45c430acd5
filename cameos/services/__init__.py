"""Writes for cameos, one module per concern (see docs/ARCHITECTURE.md)."""
