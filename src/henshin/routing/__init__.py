"""Routing: business hours and shifts, assignment strategies, escalation."""
