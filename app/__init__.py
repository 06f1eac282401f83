"""crosscheck: a fact-consistency service for news claims."""
