"""STARTTLS sessions with the MX hosts and what their certificates show."""
