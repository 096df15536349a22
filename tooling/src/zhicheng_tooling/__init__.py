"""Developer tooling kept out of the production packages: benchmarks, the plagiarism evaluation kit and
the development seed (dev_seed)."""
