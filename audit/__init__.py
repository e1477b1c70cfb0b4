"""mailhygiene: audit a mail domain and its sending servers, write a remediation report."""

import time

__version__ = "0.1.0"
# When the package was first imported: the console script imports it first thing, so
# --deadline can count the command's own start-up (audit/cli/__init__.py `main`).
IMPORTED_AT = time.perf_counter()
