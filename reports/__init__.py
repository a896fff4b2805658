"""What the user reads: pytest-html hooks, the summary matrix, figures and mit-results.json."""
