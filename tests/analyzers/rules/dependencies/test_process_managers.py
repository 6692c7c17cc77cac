"""What an image runs, as real deployments start it: supervisord programs, a Procfile, a shell
script copied into the image; files copied into an image are covered by its manifests."""

from tests.gitrepo import findings, only
from undertow.analyzers.deps.services import procfile_commands, script_commands, supervisor_programs

SUPERVISORD_CONF = """\
[supervisord]
nodaemon=true
logfile=/dev/null

[program:web]
command=gunicorn --workers 3 --bind 0.0.0.0:8000 shop.web:app ; the site
autorestart=true

[program:mailer]
command=python -m shop.mailer
stopsignal=INT
"""
SUPERVISED = {
    "requirements/base.txt": "flask==3.1.0\nredis==5.2.1\n",
    "requirements/prod.txt": "-r base.txt\ngunicorn==23.0.0\n",
    "requirements/dev.txt": "-r base.txt\npytest==8.3.4\n",
    "deploy/supervisord.conf": SUPERVISORD_CONF,
    "Dockerfile": (
        "FROM python:3.12-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends supervisor\n"
        "WORKDIR /srv\n"
        "COPY . .\n"
        "RUN pip install --no-cache-dir -r requirements/prod.txt\n"
        "COPY deploy/supervisord.conf /etc/supervisor/conf.d/shop.conf\n"
        'CMD ["/usr/bin/supervisord", "-n"]\n'
    ),
    "shop/__init__.py": "",
    "shop/web.py": "from flask import Flask\napp = Flask(__name__)\n",
    "shop/mailer.py": "import redis\n",
}


def test_readers():
    assert supervisor_programs("deploy/supervisord.conf", SUPERVISORD_CONF) == [
        ["web", "gunicorn --workers 3 --bind 0.0.0.0:8000 shop.web:app"],
        ["mailer", "python -m shop.mailer"],
    ]
    assert procfile_commands(
        "Procfile", "web: gunicorn app.wsgi --log-file -\n# note\nworker:celery -A app worker\n"
    ) == [
        ["web", "gunicorn app.wsgi --log-file -"],
        ["worker", "celery -A app worker"],
    ]
    script = '#!/bin/sh\nset -e  # stop\nif [ "$1" = worker ]; then\n  exec celery \\\n    -A app.tasks worker\nfi\n'
    assert script_commands("entrypoint.sh", script) == [
        "set -e",
        'if [ "$1" = worker ]; then',
        "exec celery  -A app.tasks worker",
        "fi",
    ]
    assert script_commands("x.sh", "a" * 20_000 + " \\\nb\nc\n") == ["c"]


def test_supervisord_programs_reach_their_modules(make_pr, capsys):
    pr = {"shop/mailer.py": "import redis\nimport httpx\n"}
    doc = make_pr(SUPERVISED, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "shop/mailer.py", 2)]
    assert only(doc, "DEP001")[0]["message"].startswith(
        "shop/mailer.py imports httpx, reached from the mailer program (deploy/supervisord.conf) of Dockerfile "
        "(it runs shop.mailer); requirements/prod.txt does not declare httpx"
    )


def test_supervisord_programs_quiet_when_declared(make_pr, capsys):
    pr = {"shop/mailer.py": "import redis\nfrom flask import render_template\n"}
    assert only(make_pr(SUPERVISED, pr).scan_json(capsys), "DEP001") == []


ENTRYPOINT = """\
#!/bin/sh
set -e
alembic upgrade head
if [ "$ROLE" = "worker" ]; then
    exec celery -A orders.tasks worker --loglevel=info
else
    exec uvicorn orders.api:app --host 0.0.0.0 --port "${PORT:-8000}"
fi
"""
SCRIPTED = {
    "requirements/app.txt": "fastapi==0.115.6\nuvicorn==0.34.0\ncelery==5.4.0\nalembic==1.14.0\n",
    "docker/entrypoint.sh": ENTRYPOINT,
    "docker/Dockerfile": (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements/app.txt /tmp/requirements.txt\n"
        "RUN pip install -r /tmp/requirements.txt\nCOPY . .\n"
        "COPY --chmod=755 docker/entrypoint.sh /usr/local/bin/entrypoint.sh\n"
        'ENTRYPOINT ["entrypoint.sh"]\n'
    ),
    "docker-compose.yml": "services:\n  api:\n    build: {context: ., dockerfile: docker/Dockerfile}\n",
    "orders/__init__.py": "",
    "orders/api.py": "from fastapi import FastAPI\napp = FastAPI()\n",
    "orders/tasks.py": "from celery import Celery\napp = Celery('orders')\n",
}


def test_a_script_copied_into_the_image_reaches_what_it_runs(make_pr, capsys):
    pr = {"orders/tasks.py": "from celery import Celery\nimport boto3\napp = Celery('orders')\n"}
    doc = make_pr(SCRIPTED, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "orders/tasks.py", 2)]
    assert (
        "reached from docker/Dockerfile (it runs orders.tasks); requirements/app.txt does not declare boto3"
        in (only(doc, "DEP001")[0]["message"])
    )


def test_a_script_copied_into_the_image_quiet_when_declared(make_pr, capsys):
    pr = {"orders/tasks.py": "from celery import Celery\nfrom fastapi import HTTPException\napp = Celery('o')\n"}
    assert only(make_pr(SCRIPTED, pr).scan_json(capsys), "DEP001") == []


PROCFILE_APP = {
    "Procfile": "web: bin/start-web.sh\nworker: celery -A blog.worker worker --concurrency 2\nrelease: python manage.py migrate\n",
    "bin/start-web.sh": "#!/usr/bin/env bash\nexec gunicorn blog.wsgi:application --bind 0.0.0.0:$PORT\n",
    "requirements.txt": "django==5.1.4\ngunicorn==23.0.0\ncelery==5.4.0\n",
    "blog/__init__.py": "",
    "blog/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
    "blog/worker.py": "from celery import Celery\napp = Celery('blog')\n",
    "manage.py": "import django\n",
}


def test_procfile_processes_reach_their_modules(make_pr, capsys):
    pr = {
        "blog/worker.py": "from celery import Celery\nimport feedparser\napp = Celery('blog')\n",
        "blog/wsgi.py": "from django.core.wsgi import get_wsgi_application\nimport whitenoise\napplication = None\n",
    }
    doc = make_pr(PROCFILE_APP, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "blog/worker.py", 2), ("DEP001", "blog/wsgi.py", 2)]
    worker, web = only(doc, "DEP001")
    assert "reached from the worker process (Procfile) (it runs blog.worker)" in worker["message"]
    assert "reached from the web process (Procfile) (it runs blog.wsgi)" in web["message"]


def test_procfile_processes_quiet_when_declared(make_pr, capsys):
    pr = {"blog/worker.py": "from celery import Celery\nfrom django.conf import settings\napp = Celery('blog')\n"}
    assert only(make_pr(PROCFILE_APP, pr).scan_json(capsys), "DEP001") == []


TWO_IMAGES = {
    "requirements-api.txt": "fastapi==0.115.6\nhttpx==0.28.1\n",
    "requirements-worker.txt": "arq==0.26.1\n",
    "requirements-dev.txt": "pytest==8.3.4\n",
    "docker/api.Dockerfile": (
        "FROM python:3.12-slim\nCOPY requirements-api.txt .\nRUN pip install -r requirements-api.txt\n"
        'COPY api/ /srv/api/\nCMD ["uvicorn", "api.main:app"]\n'
    ),
    "docker/worker.Dockerfile": (
        "FROM python:3.12-slim\nCOPY requirements-worker.txt .\nRUN pip install -r requirements-worker.txt\n"
        'COPY jobs/ /srv/jobs/\nCMD ["arq", "jobs.settings.WorkerSettings"]\n'
    ),
    "api/__init__.py": "",
    "api/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
    "jobs/__init__.py": "",
    "jobs/settings.py": "class WorkerSettings:\n    functions = ['jobs.cleanup.run']\n",
}


def test_a_file_copied_into_an_image_is_covered_by_its_manifests(make_pr, capsys):
    # jobs/cleanup.py is registered by name (a string): no import reaches it, the COPY does.
    pr = {"jobs/cleanup.py": "import httpx\n\nasync def run(ctx):\n    pass\n"}
    doc = make_pr(TWO_IMAGES, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "jobs/cleanup.py", 1)]
    assert only(doc, "DEP001")[0]["message"].startswith(
        "jobs/cleanup.py imports httpx, copied into docker/worker.Dockerfile; requirements-worker.txt does not "
        "declare httpx (requirements-api.txt has httpx==0.28.1)"
    )


def test_a_file_copied_into_an_image_quiet_when_its_manifest_declares(make_pr, capsys):
    pr = {"jobs/cleanup.py": "import arq\n\nasync def run(ctx):\n    pass\n", "tests/test_jobs.py": "import pytest\n"}
    assert only(make_pr(TWO_IMAGES, pr).scan_json(capsys), "DEP001") == []


def test_scripts_that_run_each_other_and_huge_configs_end(make_pr, capsys):
    base = {
        "requirements/app.txt": "celery==5.4.0\n",
        "bin/a.sh": "#!/bin/sh\n./bin/b.sh\nexec python -m svc.main\n",
        "bin/b.sh": "#!/bin/sh\n./bin/a.sh\n" + "echo x\n" * 3_000,
        "supervisor/svc.conf": "[program:x]\n" + "command=./bin/a.sh\n" * 3_000,
        "Dockerfile": (
            "FROM python\nCOPY requirements/app.txt r.txt\nRUN pip install -r r.txt\nCOPY . .\n"
            'CMD ["sh", "-c", "./bin/a.sh && supervisord"]\n'
        ),
        "svc/__init__.py": "",
        "svc/main.py": "import celery\n",
    }
    doc = make_pr(base, {"svc/main.py": "import celery\nimport httpx\n"}).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "svc/main.py", 2)]
    assert not only(doc, "UND004")


def test_a_program_that_starts_supervisord_again_ends(make_pr, capsys):
    base = {
        **SUPERVISED,
        "deploy/supervisord.conf": SUPERVISORD_CONF + "\n[program:again]\ncommand=/usr/bin/supervisord -n\n",
    }
    doc = make_pr(base, {"shop/mailer.py": "import redis\nimport httpx\n"}).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "shop/mailer.py", 2)]


def test_supervisord_c_reads_only_that_configuration(make_pr, capsys):
    base = {
        **SUPERVISED,
        # The worker image's programs: another image, other manifests.
        "deploy/worker-supervisord.conf": "[program:crawler]\ncommand=python -m shop.crawler\n",
        "Dockerfile": SUPERVISED["Dockerfile"].replace(
            'CMD ["/usr/bin/supervisord", "-n"]', 'CMD ["supervisord", "-c", "/srv/deploy/supervisord.conf"]'
        ),
    }
    pr = {"shop/crawler.py": "import scrapy\n", "shop/mailer.py": "import redis\nimport httpx\n"}
    doc = make_pr(base, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "shop/mailer.py", 2)]


# Start scripts without an extension, copied to the image's root and named by compose commands.
EXTENSIONLESS = {
    "requirements/base.txt": "django==5.1.4\ncelery==5.4.0\n",
    "requirements/production.txt": "-r base.txt\ngunicorn==23.0.0\n",
    "compose/production/django/Dockerfile": (
        "FROM python:3.12-slim\nCOPY ./requirements /requirements\n"
        "RUN pip install --no-cache-dir -r /requirements/production.txt\n"
        "COPY ./compose/production/django/entrypoint /entrypoint\n"
        "COPY ./compose/production/django/start /start\n"
        "COPY ./compose/production/django/celery/worker/start /start-celeryworker\n"
        "RUN chmod +x /entrypoint /start /start-celeryworker\n"
        'WORKDIR /app\nCOPY . /app\nENTRYPOINT ["/entrypoint"]\n'
    ),
    "compose/production/django/entrypoint": '#!/bin/bash\nset -o errexit\nexec "$@"\n',
    "compose/production/django/start": "#!/bin/bash\n\nset -o errexit\npython /app/manage.py collectstatic --noinput\nexec /usr/local/bin/gunicorn config.wsgi --bind 0.0.0.0:5000 --chdir=/app\n",
    "compose/production/django/celery/worker/start": "#!/usr/bin/env bash\nset -o errexit\n\nexec celery -A config.celery_app worker -l INFO\n",
    "docker-compose.production.yml": (
        "services:\n"
        "  django:\n    build: {context: ., dockerfile: ./compose/production/django/Dockerfile}\n    command: /start\n"
        "  celeryworker:\n    build: {context: ., dockerfile: ./compose/production/django/Dockerfile}\n"
        "    command: /start-celeryworker\n"
    ),
    "config/__init__.py": "",
    "config/wsgi.py": "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
    "config/celery_app.py": "from celery import Celery\napp = Celery('config')\n",
    "manage.py": "import django\n",
}


def test_extensionless_start_scripts_are_followed(make_pr, capsys):
    pr = {"config/celery_app.py": "from celery import Celery\nimport sentry_sdk\napp = Celery('config')\n"}
    doc = make_pr(EXTENSIONLESS, pr).scan_json(capsys)
    assert findings(doc, "DEP001") == [("DEP001", "config/celery_app.py", 2)]
    assert only(doc, "DEP001")[0]["message"].startswith(
        "config/celery_app.py imports sentry_sdk, reached from the celeryworker service (docker-compose.production.yml) "
        "(it runs config.celery_app); requirements/production.txt does not declare sentry-sdk"
    )


def test_extensionless_start_scripts_quiet_when_declared(make_pr, capsys):
    pr = {"config/celery_app.py": "from celery import Celery\nfrom django.conf import settings\napp = Celery('c')\n"}
    assert only(make_pr(EXTENSIONLESS, pr).scan_json(capsys), "DEP001") == []


def test_server_option_values_are_not_the_application():
    from undertow.analyzers.deps.services import entry_points

    assert entry_points("exec /usr/local/bin/gunicorn config.wsgi --bind 0.0.0.0:5000 --chdir=/app") == [
        ("module", "config.wsgi")
    ]
    assert entry_points("gunicorn -c gunicorn.conf.py -k uvicorn.workers.UvicornWorker app.main:app") == [
        ("module", "app.main")
    ]
    assert entry_points("uvicorn --host 0.0.0.0 --port 8000 --factory app.main:create_app") == [("module", "app.main")]
    assert entry_points("gunicorn --bind 127.0.0.1:8000") == []
