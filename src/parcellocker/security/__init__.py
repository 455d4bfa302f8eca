"""Keys, hashes and signed tokens: how the server proves who is who without storing secrets in clear."""
