"""Adapters of the `Embedder` port (argus.application.diagnosis.embedding)."""
