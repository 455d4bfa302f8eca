"""The software that runs on the locker's own computer."""
