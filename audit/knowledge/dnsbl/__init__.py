"""audit.knowledge.dnsbl."""
