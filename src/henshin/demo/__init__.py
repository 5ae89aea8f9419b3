"""``henshin demo``: a live practice inbox on SQLite."""

from henshin.demo.run import run_demo

__all__ = ["run_demo"]
