"""What Facebook Pages and Instagram share: the Graph API client, Meta webhooks, the
24-hour messaging window. Not a network of its own (no registry entry)."""
