"""Building blocks presets use: each builds circuits tagged with x values and names its analysis."""
