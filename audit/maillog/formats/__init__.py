"""audit.maillog.formats."""
