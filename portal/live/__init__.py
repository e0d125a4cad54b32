"""Live: the change cursor, and /live, which tells an open page what changed since it asked."""
