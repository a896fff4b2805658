"""Genomic language models: the only place torch and transformers are imported (recipes import them lazily)."""
