"""audit.net."""
