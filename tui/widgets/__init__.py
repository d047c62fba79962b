"""The explorer's panes. Each asks the model for what it shows and talks to the others only
through messages and reactives on its screen."""
