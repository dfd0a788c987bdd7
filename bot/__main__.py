"""`python -m bot`: start the product with the settings from the environment and `.env`."""

import asyncio

from bot.logs import configure_logging
from settings import load_settings


def main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level)
    from bot.app import serve

    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
