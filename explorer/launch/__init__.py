"""Starting the app: the `cnn-explorer` command, where the app's files and data live, the version."""
