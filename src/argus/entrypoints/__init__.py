"""How Argus runs: the role catalogue and the two run modes (embedded, distributed)."""
