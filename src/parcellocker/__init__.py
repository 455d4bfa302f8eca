"""parcellocker: an open-source parcel-locker platform."""

__version__ = "0.1.0"
