"""The explorer's screens: loading, the main three-pane screen, and its dialogs."""
