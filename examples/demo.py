"""Demo: create and alter tables on SQLite with retort, printing the SQL it ran."""

print("retort demo: nothing here yet")
