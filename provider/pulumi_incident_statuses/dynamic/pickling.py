"""Declaring this package's dynamic resources without leaving Pulumi's pickler altered."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def pickler_as_found() -> Iterator[None]:
    """Declare a dynamic resource, then put back the pickler methods its serialization replaced.

    Wrap the `pulumi.dynamic.Resource.__init__` call of every dynamic resource this package
    defines in it.
    """
    # pulumi/pulumi#17803: the SDK's `serialize_provider` (3.272) wraps
    # `pickle._Pickler._batch_setitems` in one more sorting closure for every dynamic resource it
    # serializes and never unwraps it. A provider pickled by value (a class in the user's program
    # file) walks the whole chain for every dict, so after a few hundred of our resources it
    # raised RecursionError. Restoring what the SDK found means our resources add no wrap, and
    # everyone else's serialization runs exactly as the SDK does it.
    batch_setitems = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    save_dict = pickle._Pickler.save_dict  # type: ignore[attr-defined]
    try:
        yield
    finally:
        pickle._Pickler._batch_setitems = batch_setitems  # type: ignore[attr-defined]
        pickle._Pickler.save_dict = save_dict  # type: ignore[attr-defined]
