"""checks.relay.check."""
