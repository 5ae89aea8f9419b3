"""Notifications to people outside the inbox: Slack, email (SMTP), signed webhooks."""
