"""The rules of a parcel locker. Imports nothing but the standard library."""
