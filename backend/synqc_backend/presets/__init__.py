"""What to measure: one module per preset, listed in `registry.py`."""
