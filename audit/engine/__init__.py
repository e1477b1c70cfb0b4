"""audit.engine."""
