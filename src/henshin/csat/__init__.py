"""CSAT: a one-question survey sent after a ticket closes, answered on a public page."""
