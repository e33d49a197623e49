"""secondbrain_core."""
