"""Webhooks: a user's endpoints (`endpoints`), the URL guard they pass when added and before each delivery
(`targets`), the `video.completed` / `video.failed` events queued when a job ends (`events`) and their
signed delivery with backoff (`delivery`, run by the `webhook_deliver` task)."""
