"""Alembic environment: migrates the database DATABASE_URL names."""

import os

from alembic import context
from sqlalchemy import create_engine

from app.models import Base

engine = create_engine(os.environ["DATABASE_URL"])
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
