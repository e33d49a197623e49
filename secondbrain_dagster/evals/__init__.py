"""Evaluation assets: retrieval, summarization, the agent."""
