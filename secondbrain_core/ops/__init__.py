"""Operating a home: its version stamp, the lock writers hold, backup and restore."""
