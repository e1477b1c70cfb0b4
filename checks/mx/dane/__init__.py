"""DNSSEC validation (RFC 4033-4035) and DANE for SMTP (RFC 7672, RFC 6698)."""
