"""checks.volume.check."""
