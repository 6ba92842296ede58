"""Training: the loop (a generator of events), augmentation, recipes, background runs, charts,
and the teacher's command line (`python -m explorer.train`)."""
