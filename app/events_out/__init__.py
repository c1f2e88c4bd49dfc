"""Events out: what happens here, published to subscribers' URLs as signed Standard Webhooks
through the outbox (docs/events-out.md)."""
