FROM python:3.12-slim
WORKDIR /srv
COPY requirements/web.txt requirements/web.txt
RUN pip install --no-cache-dir -r requirements/web.txt
COPY alembic.ini .
COPY alembic alembic
COPY app app
CMD ["uvicorn", "app.web.main:app", "--host", "0.0.0.0", "--port", "8000"]
