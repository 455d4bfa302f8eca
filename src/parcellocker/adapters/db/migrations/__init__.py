"""Alembic migrations, shipped inside the package; run them with parcellocker.adapters.db.migrate."""
