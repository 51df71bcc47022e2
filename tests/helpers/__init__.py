"""Small programs and helpers that tests run as real child processes."""
