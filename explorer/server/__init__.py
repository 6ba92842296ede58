"""Running one server for a class: background jobs, training slots shared across processes,
giving freed memory back."""
