"""Live modes: rebuild on every save (watch) and serve the book locally while doing so (serve)."""
