"""`python -m bot`: start the product with the settings from the environment and `.env`
(the same as `dvk serve`)."""

from bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve"]))
