"""Test registration: each test is a function taking the suite Env."""

TESTS = []


def test(name):
    def wrap(fn):
        TESTS.append((name, fn))
        return fn
    return wrap
