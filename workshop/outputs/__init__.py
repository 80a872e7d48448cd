"""What leaves the workshop: the published philosophy, its documents, the CSV export and the analysts' charts."""
