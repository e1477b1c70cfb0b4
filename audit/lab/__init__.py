"""The offline lab: a local DNS server and a scripted SMTP server with sample data."""
