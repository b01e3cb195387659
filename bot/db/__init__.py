"""Persistence: SQLAlchemy models, engine and sessions, FSM storage, migrations."""
