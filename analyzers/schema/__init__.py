"""The database schema: its model, migrations replayed into it, and what the ORM models expect."""
