"""Importers that replay conversations from elsewhere as tickets, with their original times."""
