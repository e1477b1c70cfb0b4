"""mailhygiene: audit a mail domain and its sending servers, write a remediation report."""

__version__ = "0.1.0"
