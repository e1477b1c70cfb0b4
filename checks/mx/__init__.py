"""The mx check: MX hosts, STARTTLS and certificates, MTA-STS and TLS-RPT."""
