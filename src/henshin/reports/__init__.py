"""Reports: per-ticket facts derived from ticket history, aggregates, exports (docs/metrics.md)."""
