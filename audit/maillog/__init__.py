"""audit.maillog: whole log files read into `LogFacts` (the digest over the parsers)."""

from audit import native

native.check()  # before the digest, compiled or not (audit/native.py)
