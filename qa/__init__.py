"""Persian News QA: cited answers to questions about Persian news articles."""

__version__ = "0.1.0"
