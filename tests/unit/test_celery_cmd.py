import pytest

from onyx_gate.celery_cmd import parse_celery

APP = "onyx.background.celery.versioned_apps.docfetching"


@pytest.mark.parametrize(
    ("command", "args", "queues"),
    [
        (["celery", "-A", APP, "worker", "-Q", "connector_doc_fetching,user_files_indexing"], None,
         ["connector_doc_fetching", "user_files_indexing"]),
        (["celery"], ["-A", APP, "worker", "--queues=connector_doc_fetching"], ["connector_doc_fetching"]),
        (["celery", "-A", APP, "worker", "--queues", "a,b"], None, ["a", "b"]),
        (["celery", f"-A{APP}", "worker", "-Qa,b"], None, ["a", "b"]),
        (["/bin/sh", "-c", f"update-ca-certificates && exec celery -A {APP} worker --loglevel=INFO -Q a,b"], None,
         ["a", "b"]),
        (["sh", "-c"], [f"X=1 celery -A {APP} worker -Q 'a, b'; echo done"], ["a", "b"]),
        (["python", "-m", "celery", "-A", APP, "worker", "-Q", "a"], None, ["a"]),
        (None, ["celery", "-A", APP, "worker", "-Q", "a"], ["a"]),
    ],
)
def test_queues_are_parsed_from_every_command_shape(command, args, queues):
    invocation = parse_celery(command, args)
    assert invocation is not None
    assert invocation.app == "docfetching"
    assert invocation.role == "worker"
    assert invocation.queues == queues


def test_worker_without_queue_option_consumes_celerys_default_queue():
    invocation = parse_celery(["celery", "-A", "x.primary", "worker"], None)
    assert invocation.queues == ["celery"]


def test_beat_is_recognised_and_has_no_queues():
    invocation = parse_celery(["celery", "-A", "onyx.background.celery.versioned_apps.beat", "beat"], None)
    assert (invocation.app, invocation.role, invocation.queues) == ("beat", "beat", [])


@pytest.mark.parametrize("command", [
    ["uvicorn", "onyx.main:app"],
    ["/bin/sh", "-c", "alembic upgrade head && uvicorn onyx.main:app --port 8080"],
    ["sh", "-c", "echo 'unbalanced"],
    ["celery", "-A", "x", "inspect", "ping"],
])
def test_non_celery_commands_are_not_workers(command):
    assert parse_celery(command, None) is None
