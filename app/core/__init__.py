"""Qt-free, torch-free core: paths, settings, database, secrets, engine protocol."""
