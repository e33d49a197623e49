"""Evaluations: retrieval quality, summarization quality, the agent."""
