"""The database adapter: SQLAlchemy Core tables, repositories and the unit of work, on SQLite and PostgreSQL."""
