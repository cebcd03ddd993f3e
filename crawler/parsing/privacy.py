"""Personal data in published text: the crawler's name for store.personaldata (the detection is shared with
the checks, which may import only the store)."""
from __future__ import annotations

from store.personaldata import Leak, find_leaks, is_valid_id_number, mask_bytes, mask_text, url_leaks

__all__ = ["Leak", "find_leaks", "is_valid_id_number", "mask_bytes", "mask_text", "url_leaks"]
