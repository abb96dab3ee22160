"""The store: SQLAlchemy tables, the run repository (all SQL), Alembic migrations."""
