"""Administration: users, supplier approval, categories, teams, organizations."""
