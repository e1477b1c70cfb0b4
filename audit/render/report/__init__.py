"""audit.render.report."""
