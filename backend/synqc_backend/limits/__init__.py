"""Limits on what a caller may spend: session shot budgets (in memory and in Redis), the
per-session submit gate and request rate limits."""
