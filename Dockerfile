# alertdesk: one image for the web service (`alertdesk serve`) and the job worker
# (`alertdesk worker`); see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && useradd --system --create-home --home-dir /home/alertdesk alertdesk

USER alertdesk
# Lock files of `serve` live here (and the secret key, if ALERTDESK_SECRET_KEY is not set).
ENV ALERTDESK_DATA_DIR=/home/alertdesk/data
EXPOSE 8000
CMD ["alertdesk", "serve", "--host", "0.0.0.0", "--port", "8000"]
