"""State changes of the accounts app: every write goes through a function here."""
