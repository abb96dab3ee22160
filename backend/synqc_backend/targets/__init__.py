"""Where circuits run: the target port, its registry and its implementations."""
