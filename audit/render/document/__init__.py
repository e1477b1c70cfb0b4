"""The result document every renderer takes: built from an `AuditResult` (build.py) or
read back from a saved file and validated against the schema (load.py)."""
