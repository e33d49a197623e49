"""asset_checks."""
