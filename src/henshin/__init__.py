"""henshin (返信): social customer care — one shared inbox for every network."""

__version__ = "0.1.0"
