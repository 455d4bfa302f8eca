"""Who is calling: API keys (looked up once, then cached for a short while) and session tokens (signed)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from parcellocker.domain.accounts import Principal
from parcellocker.domain.errors import NotAuthenticated
from parcellocker.security import session_tokens
from parcellocker.security.api_keys import hash_api_key
from parcellocker.service.accounts import Authenticate, authenticate
from parcellocker.service.context import Services

MAX_CREDENTIAL_LENGTH = 1024


@dataclass(slots=True)
class Authenticator:
    """Resolves a bearer credential to its Principal.

    Known API keys are remembered for `ttl` seconds (by their hash, never in clear), so most requests cost no
    extra database round trip; a revoked key therefore keeps working for at most `ttl` seconds. Session tokens
    carry their own HMAC signature and expiry and are checked without the database.
    """

    services: Services
    ttl: float = 30.0
    max_entries: int = 10_000
    _known: dict[str, tuple[Principal, float]] = field(default_factory=dict)
    _session_key: bytes = b""

    def __post_init__(self) -> None:
        self._session_key = self.services.env.keys.derive("session-token")

    async def principal(self, credential: str) -> Principal:
        credential = credential.strip()
        if not credential or len(credential) > MAX_CREDENTIAL_LENGTH:
            raise NotAuthenticated("the credential is unknown, revoked or expired")
        if credential.startswith(session_tokens.PREFIX + "."):
            found = session_tokens.read_session_token(self._session_key, credential, self.services.env.clock.now())
            if found is None:
                raise NotAuthenticated("the session token is not valid or has expired; sign in again")
            return found
        return await self._by_api_key(credential)

    async def _by_api_key(self, key: str) -> Principal:
        key_hash = hash_api_key(key)
        now = time.monotonic()
        cached = self._known.get(key_hash)
        if cached is not None and cached[1] > now:
            return cached[0]
        principal = await self.services.read(authenticate, Authenticate(key))
        if len(self._known) >= self.max_entries:
            self._forget_expired(now)
        if len(self._known) >= self.max_entries:
            self._known.pop(next(iter(self._known)))
        self._known[key_hash] = (principal, now + self.ttl)
        return principal

    def _forget_expired(self, now: float) -> None:
        for key_hash in [k for k, (_, until) in self._known.items() if until <= now]:
            del self._known[key_hash]
