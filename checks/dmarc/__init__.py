"""checks.dmarc.check."""
