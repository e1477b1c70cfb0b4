"""Renderers: pure functions of an `AuditResult`. They never compute exit codes."""
