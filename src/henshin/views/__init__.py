"""Inbox views: the built-in ones (Unassigned, Mine, …), saved custom views, and view counts."""
