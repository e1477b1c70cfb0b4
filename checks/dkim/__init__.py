"""checks.dkim.check."""
