FROM python:3.12-slim
WORKDIR /srv
COPY requirements/worker.txt requirements/worker.txt
RUN pip install --no-cache-dir -r requirements/worker.txt
COPY app app
CMD ["python", "-m", "app.worker.main"]
