"""audit.bounce."""
