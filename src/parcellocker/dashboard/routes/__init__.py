"""The dashboard's routes, one module per part of it."""
