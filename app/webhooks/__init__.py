"""ATS webhooks: verification, the durable inbox, adapters (generic, Greenhouse), mappings."""
