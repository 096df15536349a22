"""The development seed: sample registries and a reference corpus, loaded through the services' HTTP APIs.

None of it ships in a service package or the production image; a production service starts empty.
`make run` loads it after the stack is up (`python -m zhicheng_tooling.dev_seed`), the test harness
through the same loader.
"""
