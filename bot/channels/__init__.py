"""What every channel adapter shares: its contract with the app and the outbox."""
