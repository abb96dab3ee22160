"""Pure numerics: counts in, estimates with uncertainties out. No I/O."""
