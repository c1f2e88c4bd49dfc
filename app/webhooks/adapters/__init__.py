"""Adapters turn a source's payload into internal events (:mod:`app.webhooks.events`)."""
