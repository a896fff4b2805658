"""Score many models at once: one MIT run per model as a Ray task, merged into one report (``python -m fanout``)."""
