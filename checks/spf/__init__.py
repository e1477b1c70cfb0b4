"""checks.spf.check."""
