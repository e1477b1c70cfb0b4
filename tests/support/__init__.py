"""Helpers shared by the tests: lab servers, fixtures and paths."""
