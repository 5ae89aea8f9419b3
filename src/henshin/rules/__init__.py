"""Rules: conditions → allow-listed actions, validated, compiled into one matcher per workspace."""
