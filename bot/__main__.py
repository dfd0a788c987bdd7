"""`python -m bot`: start the product with the settings from the environment and `.env`."""

import asyncio
import sys

from bot.logs import configure_logging
from bot.settings import load_settings


def main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level)
    from bot.app import serve
    from storage.leader import AlreadyRunning

    try:
        asyncio.run(serve(settings))
    except AlreadyRunning as running:
        print(f"Another bot process is already running on the SQLite database {running}: "
              "SQLite serves one process (use PostgreSQL for several workers).", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
