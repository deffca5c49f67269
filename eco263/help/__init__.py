"""帮助: a short user guide per role, in Chinese, reachable from every page's header."""
