"""The OpenAI-compatible Videos API at /v1 (see docs/API.md): keys, endpoints, webhooks.

It sits on top of generation's services: an API job is the same job the web makes (same checks, queue,
quotas and drafts); this package only translates the protocol.
"""
