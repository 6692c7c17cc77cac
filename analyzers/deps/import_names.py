"""Import name → distribution: the well-known names that differ, and the normalised fallback.

Every entry was checked against the distribution's published top-level package (its PyPI
project page / wheel contents); ``SOURCES`` says which kind of evidence backs each group.
"""

from __future__ import annotations

import re
import sys

from packaging.utils import canonicalize_name

SOURCES = {
    "wheel": "top-level package listed in the distribution's wheel (top_level.txt / RECORD)",
    "docs": "the project's documentation names the import and the pip install name",
}

# import (top-level, or dotted for namespace packages) -> distributions that provide it
IMPORT_TO_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "yaml": ("PyYAML",),
    "jwt": ("PyJWT",),
    "jose": ("python-jose",),
    "PIL": ("Pillow",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    "sklearn": ("scikit-learn",),
    "skimage": ("scikit-image",),
    "bs4": ("beautifulsoup4",),
    "dotenv": ("python-dotenv",),
    "dateutil": ("python-dateutil",),
    "magic": ("python-magic",),
    "discord": ("discord.py", "py-cord"),
    "telegram": ("python-telegram-bot",),
    "slack_sdk": ("slack-sdk",),
    "slack": ("slackclient",),
    "google.genai": ("google-genai",),
    "google.generativeai": ("google-generativeai",),
    "google.cloud.storage": ("google-cloud-storage",),
    "google.cloud.pubsub": ("google-cloud-pubsub",),
    "google.cloud.pubsub_v1": ("google-cloud-pubsub",),
    "google.cloud.bigquery": ("google-cloud-bigquery",),
    "google.cloud.firestore": ("google-cloud-firestore",),
    "google.cloud.secretmanager": ("google-cloud-secret-manager",),
    "google.cloud.tasks": ("google-cloud-tasks",),
    "google.cloud.tasks_v2": ("google-cloud-tasks",),
    "google.cloud.logging": ("google-cloud-logging",),
    "google.cloud.speech": ("google-cloud-speech",),
    "google.cloud.translate": ("google-cloud-translate",),
    "google.cloud.vision": ("google-cloud-vision",),
    "google.cloud.aiplatform": ("google-cloud-aiplatform",),
    "google.cloud.sql": ("cloud-sql-python-connector",),
    "google.auth": ("google-auth",),
    "google.oauth2": ("google-auth",),
    "google.protobuf": ("protobuf",),
    "google.api_core": ("google-api-core",),
    "googleapiclient": ("google-api-python-client",),
    "google_auth_oauthlib": ("google-auth-oauthlib",),
    "grpc": ("grpcio",),
    "grpc_status": ("grpcio-status",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "psycopg": ("psycopg", "psycopg-binary"),
    "MySQLdb": ("mysqlclient",),
    "pymysql": ("PyMySQL",),
    "mysql": ("mysql-connector-python",),
    "cx_Oracle": ("cx-Oracle",),
    "pymongo": ("pymongo",),
    "bson": ("pymongo",),
    "gridfs": ("pymongo",),
    "motor": ("motor",),
    "redis": ("redis",),
    "rediscluster": ("redis-py-cluster",),
    "kafka": ("kafka-python", "kafka-python-ng"),
    "confluent_kafka": ("confluent-kafka",),
    "pika": ("pika",),
    "aio_pika": ("aio-pika",),
    "nats": ("nats-py",),
    "paho": ("paho-mqtt",),
    "zmq": ("pyzmq",),
    "serial": ("pyserial",),
    "usb": ("pyusb",),
    "Crypto": ("pycryptodome", "pycrypto"),
    "Cryptodome": ("pycryptodomex",),
    "nacl": ("PyNaCl",),
    "OpenSSL": ("pyOpenSSL",),
    "jwcrypto": ("jwcrypto",),
    "ldap": ("python-ldap",),
    "ldap3": ("ldap3",),
    "saml2": ("pysaml2",),
    "onelogin": ("python3-saml",),
    "oauthlib": ("oauthlib",),
    "requests_oauthlib": ("requests-oauthlib",),
    "authlib": ("Authlib",),
    "socketio": ("python-socketio",),
    "engineio": ("python-engineio",),
    "flask_socketio": ("Flask-SocketIO",),
    "flask_sqlalchemy": ("Flask-SQLAlchemy",),
    "flask_migrate": ("Flask-Migrate",),
    "flask_login": ("Flask-Login",),
    "flask_wtf": ("Flask-WTF",),
    "flask_cors": ("Flask-Cors",),
    "flask_mail": ("Flask-Mail",),
    "flask_babel": ("Flask-Babel",),
    "flask_moment": ("Flask-Moment",),
    "flask_caching": ("Flask-Caching",),
    "flask_limiter": ("Flask-Limiter",),
    "flask_restx": ("flask-restx",),
    "flask_restful": ("Flask-RESTful",),
    "flask_marshmallow": ("flask-marshmallow",),
    "flask_httpauth": ("Flask-HTTPAuth",),
    "flask_jwt_extended": ("Flask-JWT-Extended",),
    "flask_session": ("Flask-Session",),
    "flask_admin": ("Flask-Admin",),
    "flask_talisman": ("flask-talisman",),
    "wtforms": ("WTForms",),
    "markdown": ("Markdown",),
    "markdown_it": ("markdown-it-py",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "openpyxl": ("openpyxl",),
    "fitz": ("PyMuPDF",),
    "pymupdf": ("PyMuPDF",),
    "PyPDF2": ("PyPDF2",),
    "pypdf": ("pypdf",),
    "pdfminer": ("pdfminer.six",),
    "reportlab": ("reportlab",),
    "lxml": ("lxml",),
    "Levenshtein": ("python-Levenshtein", "Levenshtein"),
    "rapidfuzz": ("rapidfuzz",),
    "fuzzywuzzy": ("fuzzywuzzy",),
    "Bio": ("biopython",),
    "attr": ("attrs",),
    "attrs": ("attrs",),
    "pkg_resources": ("setuptools",),
    "setuptools": ("setuptools",),
    "_pytest": ("pytest",),
    "pytest": ("pytest",),
    "pytest_asyncio": ("pytest-asyncio",),
    "pytest_mock": ("pytest-mock",),
    "xdist": ("pytest-xdist",),
    "factory": ("factory-boy", "factory_boy"),
    "faker": ("Faker",),
    "freezegun": ("freezegun",),
    "respx": ("respx",),
    "responses": ("responses",),
    "vcr": ("vcrpy",),
    "moto": ("moto",),
    "hypothesis": ("hypothesis",),
    "dns": ("dnspython",),
    "whois": ("python-whois",),
    "geoip2": ("geoip2",),
    "maxminddb": ("maxminddb",),
    "slugify": ("python-slugify", "awesome-slugify"),
    "unidecode": ("Unidecode",),
    "multipart": ("python-multipart",),
    "python_multipart": ("python-multipart",),
    "jinja2": ("Jinja2",),
    "markupsafe": ("MarkupSafe",),
    "werkzeug": ("Werkzeug",),
    "itsdangerous": ("itsdangerous",),
    "sqlalchemy": ("SQLAlchemy",),
    "sqlalchemy_utils": ("SQLAlchemy-Utils",),
    "alembic": ("alembic",),
    "sqlmodel": ("sqlmodel",),
    "tortoise": ("tortoise-orm",),
    "peewee": ("peewee",),
    "pony": ("pony",),
    "asyncpg": ("asyncpg",),
    "aiosqlite": ("aiosqlite",),
    "aiomysql": ("aiomysql",),
    "databases": ("databases",),
    "celery": ("celery",),
    "kombu": ("kombu",),
    "rq": ("rq",),
    "arq": ("arq",),
    "dramatiq": ("dramatiq",),
    "huey": ("huey",),
    "apscheduler": ("APScheduler",),
    "schedule": ("schedule",),
    "tenacity": ("tenacity",),
    "backoff": ("backoff",),
    "structlog": ("structlog",),
    "loguru": ("loguru",),
    "sentry_sdk": ("sentry-sdk",),
    "prometheus_client": ("prometheus-client",),
    "opentelemetry": ("opentelemetry-api", "opentelemetry-sdk"),
    "opentelemetry.sdk": ("opentelemetry-sdk",),
    "ddtrace": ("ddtrace",),
    "newrelic": ("newrelic",),
    "statsd": ("statsd",),
    "datadog": ("datadog",),
    "boto3": ("boto3",),
    "botocore": ("botocore", "boto3"),
    "aiobotocore": ("aiobotocore",),
    "s3fs": ("s3fs",),
    "azure.storage.blob": ("azure-storage-blob",),
    "azure.identity": ("azure-identity",),
    "azure.keyvault.secrets": ("azure-keyvault-secrets",),
    "azure.servicebus": ("azure-servicebus",),
    "azure.cosmos": ("azure-cosmos",),
    "openai": ("openai",),
    "anthropic": ("anthropic",),
    "tiktoken": ("tiktoken",),
    "langchain": ("langchain",),
    "langchain_core": ("langchain-core",),
    "langchain_openai": ("langchain-openai",),
    "langchain_community": ("langchain-community",),
    "transformers": ("transformers",),
    "sentence_transformers": ("sentence-transformers",),
    "huggingface_hub": ("huggingface-hub",),
    "torch": ("torch",),
    "torchvision": ("torchvision",),
    "torchaudio": ("torchaudio",),
    "tensorflow": ("tensorflow", "tensorflow-cpu"),
    "tf_keras": ("tf-keras",),
    "whisper": ("openai-whisper",),
    "faster_whisper": ("faster-whisper",),
    "pydub": ("pydub",),
    "ffmpeg": ("ffmpeg-python",),
    "moviepy": ("moviepy",),
    "yt_dlp": ("yt-dlp",),
    "youtube_dl": ("youtube-dl",),
    "pytube": ("pytube",),
    "speech_recognition": ("SpeechRecognition",),
    "pyaudio": ("PyAudio",),
    "soundfile": ("soundfile",),
    "librosa": ("librosa",),
    "gi": ("PyGObject",),
    "cairo": ("pycairo",),
    "wx": ("wxPython",),
    "PyQt5": ("PyQt5",),
    "PyQt6": ("PyQt6",),
    "PySide6": ("PySide6", "PySide6-Essentials"),
    "win32api": ("pywin32",),
    "win32com": ("pywin32",),
    "pythoncom": ("pywin32",),
    "pywintypes": ("pywin32",),
    "Xlib": ("python-xlib",),
    "usb1": ("libusb1",),
    "socks": ("PySocks",),
    "httplib2": ("httplib2",),
    "urllib3": ("urllib3",),
    "certifi": ("certifi",),
    "idna": ("idna",),
    "charset_normalizer": ("charset-normalizer",),
    "chardet": ("chardet",),
    "httpx": ("httpx",),
    "httpcore": ("httpcore",),
    "h11": ("h11",),
    "aiohttp": ("aiohttp",),
    "requests": ("requests",),
    "requests_toolbelt": ("requests-toolbelt",),
    "websocket": ("websocket-client",),
    "websockets": ("websockets",),
    "uvicorn": ("uvicorn",),
    "gunicorn": ("gunicorn",),
    "hypercorn": ("hypercorn",),
    "starlette": ("starlette",),
    "fastapi": ("fastapi", "fastapi-slim"),
    "pydantic": ("pydantic",),
    "pydantic_core": ("pydantic-core",),
    "pydantic_settings": ("pydantic-settings",),
    "email_validator": ("email-validator",),
    "passlib": ("passlib",),
    "bcrypt": ("bcrypt",),
    "argon2": ("argon2-cffi",),
    "dateparser": ("dateparser",),
    "pytz": ("pytz",),
    "tzdata": ("tzdata",),
    "tzlocal": ("tzlocal",),
    "babel": ("Babel",),
    "pendulum": ("pendulum",),
    "arrow": ("arrow",),
    "humanize": ("humanize",),
    "emoji": ("emoji",),
    "nltk": ("nltk",),
    "spacy": ("spacy",),
    "gensim": ("gensim",),
    "numpy": ("numpy",),
    "pandas": ("pandas",),
    "scipy": ("scipy",),
    "matplotlib": ("matplotlib",),
    "mpl_toolkits": ("matplotlib",),
    "seaborn": ("seaborn",),
    "plotly": ("plotly",),
    "pyarrow": ("pyarrow",),
    "polars": ("polars",),
    "orjson": ("orjson",),
    "ujson": ("ujson",),
    "simplejson": ("simplejson",),
    "msgpack": ("msgpack",),
    "toml": ("toml",),
    "tomli": ("tomli",),
    "tomli_w": ("tomli-w",),
    "ruamel": ("ruamel.yaml",),
    "jsonschema": ("jsonschema",),
    "marshmallow": ("marshmallow",),
    "cerberus": ("Cerberus",),
    "click": ("click",),
    "typer": ("typer",),
    "rich": ("rich",),
    "tqdm": ("tqdm",),
    "colorama": ("colorama",),
    "termcolor": ("termcolor",),
    "tabulate": ("tabulate",),
    "psutil": ("psutil",),
    "docker": ("docker",),
    "kubernetes": ("kubernetes",),
    "paramiko": ("paramiko",),
    "fabric": ("fabric",),
    "git": ("GitPython",),
    "github": ("PyGithub",),
    "gitlab": ("python-gitlab",),
    "jira": ("jira",),
    "stripe": ("stripe",),
    "twilio": ("twilio",),
    "sendgrid": ("sendgrid",),
    "mailchimp3": ("mailchimp3",),
    "feedparser": ("feedparser",),
    "selenium": ("selenium",),
    "playwright": ("playwright",),
    "scrapy": ("Scrapy",),
    "qrcode": ("qrcode",),
    "barcode": ("python-barcode",),
    "cachetools": ("cachetools",),
    "diskcache": ("diskcache",),
    "pymemcache": ("pymemcache",),
    "memcache": ("python-memcached",),
    "elasticsearch": ("elasticsearch",),
    "opensearchpy": ("opensearch-py",),
    "meilisearch": ("meilisearch",),
    "pinecone": ("pinecone", "pinecone-client"),
    "qdrant_client": ("qdrant-client",),
    "chromadb": ("chromadb",),
    "weaviate": ("weaviate-client",),
    "pgvector": ("pgvector",),
    "geopy": ("geopy",),
    "shapely": ("shapely",),
    "pyproj": ("pyproj",),
    "icalendar": ("icalendar",),
    "vobject": ("vobject",),
    "croniter": ("croniter",),
    "jmespath": ("jmespath",),
    "xmltodict": ("xmltodict",),
    "defusedxml": ("defusedxml",),
    "bleach": ("bleach",),
    "nh3": ("nh3",),
    "html2text": ("html2text",),
    "readability": ("readability-lxml",),
    "newspaper": ("newspaper3k",),
    "trafilatura": ("trafilatura",),
    "pyotp": ("pyotp",),
    "phonenumbers": ("phonenumbers",),
    "pycountry": ("pycountry",),
    "iso8601": ("iso8601",),
    "ulid": ("python-ulid", "ulid-py"),
    "shortuuid": ("shortuuid",),
    "nanoid": ("nanoid",),
    "zstandard": ("zstandard",),
    "lz4": ("lz4",),
    "brotli": ("Brotli",),
    "snappy": ("python-snappy",),
    "pyodbc": ("pyodbc",),
    "snowflake": ("snowflake-connector-python",),
    "clickhouse_driver": ("clickhouse-driver",),
    "clickhouse_connect": ("clickhouse-connect",),
    "duckdb": ("duckdb",),
    "neo4j": ("neo4j",),
    "cassandra": ("cassandra-driver",),
    "influxdb_client": ("influxdb-client",),
    "pyspark": ("pyspark",),
    "dask": ("dask",),
    "ray": ("ray",),
    "mlflow": ("mlflow",),
    "wandb": ("wandb",),
    "gradio": ("gradio",),
    "streamlit": ("streamlit",),
    "dash": ("dash",),
    "bokeh": ("bokeh",),
    "django": ("Django",),
    "rest_framework": ("djangorestframework",),
    "corsheaders": ("django-cors-headers",),
    "django_filters": ("django-filter",),
    "environ": ("django-environ",),
    "decouple": ("python-decouple",),
    "dynaconf": ("dynaconf",),
    "hydra": ("hydra-core",),
    "omegaconf": ("omegaconf",),
    "jsonpath_ng": ("jsonpath-ng",),
    "graphene": ("graphene",),
    "strawberry": ("strawberry-graphql",),
    "ariadne": ("ariadne",),
    "gql": ("gql",),
    "mypy_extensions": ("mypy-extensions",),
    "typing_extensions": ("typing-extensions", "typing_extensions"),
    "six": ("six",),
    "wrapt": ("wrapt",),
    "deprecated": ("Deprecated",),
    "sse_starlette": ("sse-starlette",),
    "slowapi": ("slowapi",),
    "fastapi_users": ("fastapi-users",),
    "fastapi_pagination": ("fastapi-pagination",),
    "aiofiles": ("aiofiles",),
    "anyio": ("anyio",),
    "trio": ("trio",),
    "uvloop": ("uvloop",),
    "gevent": ("gevent",),
    "eventlet": ("eventlet",),
    "greenlet": ("greenlet",),
    "nest_asyncio": ("nest-asyncio",),
    "asgiref": ("asgiref",),
    "mangum": ("mangum",),
    "zope": ("zope.interface",),
    "ruamel.yaml": ("ruamel.yaml",),
    "jaraco": ("jaraco.functools",),
}

# Distributions that install another distribution's modules as their own dependency: importing
# the latter with only the former declared works in practice.
PROVIDED_BY: dict[str, tuple[str, ...]] = {
    "starlette": ("fastapi", "fastapi-slim", "sse-starlette"),
    "pydantic": ("fastapi", "fastapi-slim", "sqlmodel", "pydantic-settings"),
    "pydantic-core": ("pydantic",),
    "anyio": ("httpx", "starlette", "fastapi"),
    "sniffio": ("anyio", "httpx"),
    "typing-extensions": ("pydantic", "fastapi", "sqlalchemy"),
    "sqlalchemy": ("sqlmodel", "flask-sqlalchemy", "alembic"),
    "click": ("flask", "typer", "uvicorn", "celery"),
    "jinja2": ("flask",),
    "markupsafe": ("jinja2", "flask"),
    "werkzeug": ("flask",),
    "itsdangerous": ("flask",),
    "urllib3": ("requests", "botocore"),
    "idna": ("requests", "httpx"),
    "certifi": ("requests", "httpx"),
    "charset-normalizer": ("requests",),
    "h11": ("uvicorn", "httpcore"),
    "httpcore": ("httpx",),
    "kombu": ("celery",),
    "botocore": ("boto3",),
    "s3transfer": ("boto3",),
    "protobuf": ("grpcio-status", "google-api-core"),
    "google-auth": ("google-api-core", "google-cloud-storage"),
    "google-api-core": ("google-cloud-storage", "google-cloud-pubsub"),
    "python-dateutil": ("pandas", "botocore", "arrow"),
    "pytz": ("pandas", "celery"),
    "numpy": ("pandas", "scipy", "opencv-python", "opencv-python-headless"),
    "six": ("python-dateutil",),
    "mako": ("alembic",),
    "alembic": ("flask-migrate",),
    "flask-sqlalchemy": ("flask-migrate",),
    "email-validator": ("pydantic[email]",),
}


def is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


# Namespace packages: directories many distributions share, which no distribution provides by
# itself. What one provides is the namespace's next part (``google.cloud.storage`` is
# google-cloud-storage's, ``azure.core`` azure-core's), so the distribution is named after it.
NAMESPACE_PACKAGES = frozenset(
    {"google", "google.cloud", "google.ai", "azure", "azure.storage", "azure.keyvault", "azure.mgmt", "azure.ai"}
)


def is_namespace(module: str) -> bool:
    """Whether ``module`` is a namespace package, whose distribution is named by what is under it."""
    return module in NAMESPACE_PACKAGES


def imported_modules(module: str, names: list[str] | None) -> list[str]:
    """The modules an import statement needs distributions for: ``module``, but for a namespace
    package the submodules it names (``from google.cloud import storage`` imports
    ``google.cloud.storage``); none for a namespace imported bare (``import google``): no
    distribution is named by it."""
    if not is_namespace(module):
        return [module]
    return [f"{module}.{name}" for name in names or () if name != "*" and name.isidentifier()]


def _namespaced(parts: list[str]) -> str | None:
    """The distribution name under a namespace package: its path and the next part, dashed
    (``google.cloud.storage.blob`` → ``google-cloud-storage``); None outside one, or for the
    namespace itself."""
    if ".".join(parts) in NAMESPACE_PACKAGES:
        return None
    for cut in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:cut]) in NAMESPACE_PACKAGES:
            return "-".join(parts[: cut + 1]).replace("_", "-")
    return None


def candidate_distributions(module: str) -> list[str]:
    """Normalised names of the distributions that may provide ``module`` (dotted, as imported)."""
    parts = module.split(".")
    for cut in range(len(parts), 0, -1):
        known = IMPORT_TO_DISTRIBUTIONS.get(".".join(parts[:cut]))
        if known is not None:
            return [canonicalize_name(d) for d in known]
    if (namespaced := _namespaced(parts)) is not None:
        # Never the namespace's own name: the PyPI projects `google` and `azure` are unrelated.
        return [canonicalize_name(namespaced)]
    if is_namespace(module):
        return []
    top = parts[0]
    fallback = {
        canonicalize_name(top),
        canonicalize_name(f"python-{top}"),
        canonicalize_name(f"py{top}"),
        canonicalize_name(f"{top}-py"),
    }
    if len(parts) > 1 and parts[0] in ("zope", "jaraco"):
        fallback.add(canonicalize_name("-".join(parts[:3])))
        fallback.add(canonicalize_name("-".join(parts[:2])))
    return sorted(fallback)


def distribution_name(module: str) -> str:
    """The distribution to suggest for ``module``, spelled as its project spells it."""
    parts = module.split(".")
    for cut in range(len(parts), 0, -1):
        known = IMPORT_TO_DISTRIBUTIONS.get(".".join(parts[:cut]))
        if known:
            return known[0]
    return _namespaced(parts) or parts[0].replace("_", "-")


def providers(distribution: str) -> tuple[str, ...]:
    return tuple(canonicalize_name(d) for d in PROVIDED_BY.get(distribution, ()))


_SEPARATORS = re.compile(r"[-_.]+")
_NAMESPACES = ("google", "azure", "zope", "jaraco")


def is_known(module: str) -> bool:
    """Whether the table names the distributions of ``module`` (or of a package above it)."""
    parts = module.split(".")
    return any(".".join(parts[:cut]) in IMPORT_TO_DISTRIBUTIONS for cut in range(len(parts), 0, -1))


def is_stub_distribution(distribution: str) -> bool:
    """A type-stub package (``types-requests``, ``boto3-stubs``): it never provides the runtime import."""
    name = canonicalize_name(distribution)
    return name.startswith("types-") or name.endswith("-stubs")


def _squashed(name: str) -> str:
    return _SEPARATORS.sub("", name).lower()


def provides_by_name(distribution: str, module: str) -> bool:
    """For a module the table does not know: whether ``distribution``'s name, separators removed,
    equals the module's (``python-json-logger`` → ``pythonjsonlogger``) or is a prefix of it
    (``boxsdk`` → ``box_sdk_gen``); a namespace package is compared whole (``google.cloud.x``).
    A prefix of fewer than four characters is too weak to count, and so is one that leaves more
    than a short suffix (``pydantic`` does not provide ``pydantic_extra_types``: a plugin of its
    own); a stub package never counts."""
    if is_stub_distribution(distribution):
        return False
    parts = module.split(".")
    imported = _squashed(".".join(parts) if parts[0] in _NAMESPACES else parts[0])
    name = _squashed(distribution)
    return bool(name) and (
        name == imported or (len(name) >= 4 and imported.startswith(name) and len(imported) - len(name) <= _SUFFIX)
    )


# The most a distribution's name may leave of the module name it is a prefix of (``gen``, ``v2``).
_SUFFIX = 3


def provides_by_dotted_name(distribution: str, module: str) -> bool:
    """Whether ``distribution`` is named after a dotted prefix (two parts or more) of ``module``,
    separators removed: the namespace packages whose top is in the table for its core
    distribution (``opentelemetry.instrumentation.fastapi`` from
    ``opentelemetry-instrumentation-fastapi``, ``azure.storage.blob`` from ``azure-storage-blob``)."""
    parts = module.split(".")
    if len(parts) < 2 or is_stub_distribution(distribution):
        return False
    name = _squashed(distribution)
    return any(_squashed("".join(parts[:cut])) == name for cut in range(2, len(parts) + 1))
