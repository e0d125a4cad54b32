"""Pictures and files on ideas and comments (SPEC 16): checked, stored, served as their holder."""
