"""The test suite's view of the process harness (it lives in zhicheng_devstack, shared with make bench)."""

from zhicheng_devstack.harness import DATABASES, SERVICES, Servers, Stack, wait_for

__all__ = ["DATABASES", "SERVICES", "Servers", "Stack", "wait_for"]
