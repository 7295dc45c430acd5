"""Test-only builders: a tiny random-weight Wan model and synthetic cameo clips (tests and bench/ use them)."""
