"""工作动态: the office's bulletin, drafted from the record, edited, approved, published, read."""
