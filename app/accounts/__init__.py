"""Companies, their users and roles, logins, sessions and API tokens."""
