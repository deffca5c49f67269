"""待办 workbench: what waits for the reader now, from every domain's scoped service reads."""
