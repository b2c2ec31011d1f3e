"""Runs localstripe (a stateful fake of Stripe's API) on a port, keeping its objects in memory only.

Started by ``tests/support/localstripe.py`` with the interpreter of localstripe's own virtual environment.
localstripe writes its whole store to ``/tmp/localstripe.pickle`` after every change, which several servers
(one per test session) would share; here it keeps nothing on disk, and always starts empty.
"""

import sys

import localstripe.resources as resources

resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]

from localstripe import server  # noqa: E402  (after the patch above)

if __name__ == "__main__":
    sys.argv = ["localstripe", "--port", sys.argv[1], "--from-scratch"]
    server.start()
