"""MIG: migration safety (Postgres-first)."""
