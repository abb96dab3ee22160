"""The console's static files."""
