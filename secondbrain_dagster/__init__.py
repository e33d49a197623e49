"""secondbrain_dagster."""
