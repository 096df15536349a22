"""Use cases: load an aggregate, decide, append with its expected version, project in the same transaction."""
