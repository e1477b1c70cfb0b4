"""The message check: real messages (.eml, mbox, stdin) analysed as a receiver does.

DKIM and ARC verification (dkimpy, keys through our resolver), SPF of the connecting IP
from the trusted Received header (our own check_host), DMARC alignment, one-click
unsubscribe (RFC 8058), RFC 5322 format rules and TLS per Received hop.
"""
