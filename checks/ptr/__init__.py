"""checks.ptr.check."""
