"""The provincial pre-review filing of a push batch (POL-FI-1) as a durable workflow."""
