"""Lock-control boards: the `LockBoard` port and bus (`port`), one package per protocol family
(`kerong`, `eighta`), their transports, and emulators that speak the exact bytes (`emulator`)."""
