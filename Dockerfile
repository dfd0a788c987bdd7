# The product as one image: `dvk serve` (the same as `make run`), as a user without privileges.
# Build: docker build -t danvankheo-bot .   Run the whole production shape: compose.yaml.
#
# Debian 13 (trixie) underneath: its postgresql-client (17) has the pg_dump that `dvk backup`
# runs against PostgreSQL 16; bookworm's (15) refuses a newer server.
FROM python:3.11-slim-trixie AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY storage storage
COPY scheduler scheduler
COPY settings settings
COPY locales locales
# Wheels for the product and its dependencies (PostgreSQL driver included), built once here so
# the final image carries no compiler or pip cache.
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[postgres]'

FROM python:3.11-slim-trixie
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels 'danvankheo-bot[postgres]' \
    && rm -rf /wheels
RUN useradd --system --uid 10001 --user-group --home-dir /srv/dvk --create-home dvk \
    && mkdir -p /srv/dvk/data/media && chown -R dvk:dvk /srv/dvk/data
WORKDIR /srv/dvk
USER dvk
# Defaults for a container; compose.yaml or `docker run -e`/`--env-file` override any of them.
ENV WEB_HOST=0.0.0.0 \
    WEB_PORT=8080 \
    DATABASE_URL=sqlite:////srv/dvk/data/danvankheo.db \
    MEDIA_DIR=/srv/dvk/data/media \
    LOG_FORMAT=json
VOLUME ["/srv/dvk/data"]
EXPOSE 8080
# /healthz answers 200 while the database answers and the scheduler runs (bot/web/health.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('WEB_PORT', '8080') + '/healthz', timeout=4)"]
ENTRYPOINT ["dvk"]
CMD ["serve"]
