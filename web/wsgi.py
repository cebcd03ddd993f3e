"""gunicorn entry point: `gunicorn 'web.wsgi:app'` with ZWGK_DB set (see docs/console.md)."""
from __future__ import annotations

import os

from web import create_app

app = create_app(os.environ.get("ZWGK_DB"), upload_dir=os.environ.get("ZWGK_UPLOADS"),
                 secure_cookies=os.environ.get("ZWGK_SECURE_COOKIES", "1") != "0")
