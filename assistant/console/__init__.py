"""The operators' console at `/admin`: its routes, its sign-in, documents and re-indexing, evaluations and the gaps report."""
