"""checks.blacklist.check."""
