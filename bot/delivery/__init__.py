"""Delivery of proactive messages: the sending port each chat adapter implements, the outbox, retry and pacing."""
