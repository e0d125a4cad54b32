"""A bounded, thread-safe map whose entries expire: the page cache, the fragment cache and
the unread-count statements keep what they remember per process in one."""

import threading
import time
from collections import OrderedDict


class ExpiringLRU:
    """A bounded, thread-safe map whose entries expire (least recently used go first).

    Bounded by the number of entries and, when `max_size` is given, by the sum of the sizes
    `put` is told (the fragment cache: characters, as pieces range from a line to a page)."""

    def __init__(self, max_entries: int = 512, max_size: int | None = None):
        self.max_entries = max_entries
        self.max_size = max_size
        self.size = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._entries[key]
                self.size -= entry[2]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def get_or_put(self, key, seconds: float, make):
        """The value kept for `key`, or `make()`'s, kept for `seconds` (two threads may both
        make it: the last one's is kept, either will do)."""
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, seconds, value)
        return value

    def put(self, key, seconds: float, value, size: int = 0) -> None:
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self.size -= replaced[2]
            self._entries[key] = (time.monotonic() + seconds, value, size)
            self.size += size
            while len(self._entries) > self.max_entries or (
                self.max_size is not None and self.size > self.max_size and len(self._entries) > 1
            ):
                self.size -= self._entries.popitem(last=False)[1][2]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0
