"""dkimpy, imported without dnspython's DNS-over-HTTPS client.

dkimpy imports dnspython's resolver for its own DNS function, which is never used here
(keys come from the run's resolver), and the resolver imports its DoH client (httpx, h2:
~80 ms of every `message` start-up). Nothing in this tool speaks DNS over HTTPS, so the
feature is switched off before the first import; the modules of this package import
dkimpy from here and reach its parts as attributes (dkim.util, dkim.canonicalization).
"""

import dns._features

dns._features.force("doh", False)

import dkim  # noqa: E402

__all__ = ["dkim"]
