"""Figures: plot data that presets produce, and its rendering to SVG."""
