"""audit.knowledge."""
