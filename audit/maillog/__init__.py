"""audit.maillog."""
