"""Your data (SPEC 15): everything the portal holds about a person, to take away or erase."""
