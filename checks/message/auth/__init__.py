"""A message's authentication: DKIM signatures (dkimpy's parsing and canonicalisation, the
signature by `cryptography`), ARC, and DMARC alignment with the From domain."""
