"""MTA-STS (RFC 8461) and TLS-RPT (RFC 8460): DNS records and the HTTPS policy."""
