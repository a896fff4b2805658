"""Who scores: the Scorer protocol, the registry behind ``--model``, reference scorers, gLM adapters, score cache."""
