"""Reference scorers that need numpy only: the paper's PWM models and baselines, compositional controls."""
