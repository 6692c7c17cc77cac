"""SCH: schema drift between ORM models, raw SQL and migrations."""
