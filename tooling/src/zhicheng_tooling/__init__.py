"""Developer tooling kept out of the production packages: benchmarks and the plagiarism evaluation kit."""
