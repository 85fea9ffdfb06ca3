# gfmd-protection-bot: `gfmd-bot serve` on port 8000, state (SQLite, user-key secret) in /app/var.
#
#   docker build -t gfmd-bot .
#   docker run -d --name gfmd-bot -p 127.0.0.1:8000:8000 --env-file .env -v gfmd-var:/app/var gfmd-bot
#   docker kill --signal=HUP gfmd-bot      # reload content/ without a restart
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies in their own layer: rebuilt only when pyproject.toml changes, not on every code or
# content edit. The PostgreSQL driver is included so DATABASE_URL alone chooses the store.
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
print('\n'.join(p['dependencies'] + p['optional-dependencies']['postgres']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The code, then the project itself without touching the dependencies installed above.
COPY README.md ./
COPY gfmd_info ./gfmd_info
COPY bot ./bot
RUN pip install --no-deps . \
 && rm -rf build ./*.egg-info bot gfmd_info

# What the bot says: content checked, catalogs compiled (.mo) at build time, so a broken edit
# fails the build instead of the container; the matcher trained into its cache, so a container
# starts without training (content mounted over the image's copy trains once, into the cache).
COPY content ./content
COPY locales ./locales
RUN pybabel compile --domain messages --directory locales --statistics \
 && gfmd-bot content check \
 && gfmd-bot matcher warm --cache /app/model-cache

# A user without a login or a home of its own, owning only the state folder.
RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin gfmd \
 && mkdir -p /app/var \
 && chown gfmd:gfmd /app/var /app/model-cache
USER gfmd

ENV GFMD_CONTENT_DIR=/app/content \
    GFMD_LOCALES_DIR=/app/locales \
    GFMD_VAR_DIR=/app/var \
    GFMD_MODEL_CACHE_DIR=/app/model-cache \
    DATABASE_URL=sqlite:////app/var/gfmd-bot.sqlite3
VOLUME ["/app/var"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# uvicorn finishes requests in flight on SIGTERM (within 8 s, before Docker's 10 s SIGKILL).
STOPSIGNAL SIGTERM
CMD ["gfmd-bot", "serve", "--host", "0.0.0.0", "--port", "8000"]
