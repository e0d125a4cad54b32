"""Ideas: categories, ideas, votes, following and discussion."""
