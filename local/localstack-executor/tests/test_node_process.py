"""The function process on its own: results, errors, logs, timeout, init failures, restarts."""

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

from cdc_localstack_executor.node_process import FunctionSettings, InitError, NodeProcess

FUNCTIONS = Path(__file__).with_name("functions")
NODE = os.environ.get("CDC_EXECUTOR_NODE") or shutil.which("node")


def settings(handler: str, timeout: float = 5, **environment: str) -> FunctionSettings:
    return FunctionSettings(
        node=NODE,
        task_root=str(FUNCTIONS),
        handler=handler,
        timeout_seconds=timeout,
        memory_mb=256,
        environment={"PATH": os.environ["PATH"], "LAMBDA_TASK_ROOT": str(FUNCTIONS), "_HANDLER": handler, **environment},
        init_timeout_seconds=10,
    )


@pytest.fixture
def started():
    processes = []

    def start(handler: str, timeout: float = 5, **environment: str) -> NodeProcess:
        process = NodeProcess(settings(handler, timeout, **environment))
        processes.append(process)
        process.start()
        return process

    yield start
    for process in processes:
        process.stop()


def invoke(process: NodeProcess, event: object, **kwargs):
    request_id = str(uuid.uuid4())
    return request_id, process.invoke(request_id, json.dumps(event), **kwargs)


def test_returns_the_result_with_event_context_and_environment(started, monkeypatch):
    monkeypatch.setenv("HOST_ONLY_SECRET", "must not leak")
    process = started("handlers.echo", AWS_LAMBDA_FUNCTION_NAME="fn", CUSTOM_SETTING="from config", TMPDIR="/tmp/fn-tmp")
    request_id, result = invoke(process, {"a": 1}, function_arn="arn:aws:lambda:us-east-1:000000000000:function:fn", trace_id="Root=1-abc")
    assert not result.is_error
    body = json.loads(result.payload)
    assert body["event"] == {"a": 1}
    assert body["functionName"] == "fn"
    assert body["requestId"] == request_id
    assert body["arn"].endswith(":function:fn")
    assert 3000 < body["remaining"] <= 5000
    assert body["custom"] == "from config"
    assert body["hostSecret"] is None  # only the function's environment, not LocalStack's
    assert body["executorFd"] is None
    assert body["tmp"] == "/tmp/fn-tmp"
    assert body["traceId"] == "Root=1-abc"


def test_logs_are_framed_and_belong_to_their_invocation(started):
    process = started("handlers.echo")
    first_id, first = invoke(process, {"n": 1})
    second_id, second = invoke(process, {"n": 2})
    assert first.logs.startswith(f"START RequestId: {first_id} Version: $LATEST\n")
    assert "module loaded" in first.logs  # init output goes with the first invocation
    assert f"\t{first_id}\tINFO\techo {{\"n\":1}}" in first.logs
    assert f"END RequestId: {first_id}\nREPORT RequestId: {first_id}\tDuration: " in first.logs
    assert "Memory Size: 256 MB" in first.logs
    assert "module loaded" not in second.logs
    assert 'echo {"n":2}' in second.logs and 'echo {"n":1}' not in second.logs
    assert "\x1e" not in first.logs + second.logs


def test_callback_style_and_undefined_results(started):
    process = started("handlers.callback")
    _, result = invoke(process, {"n": 7})
    assert json.loads(result.payload) == {"via": "callback", "n": 7}
    process = started("handlers.returnsNothing")
    _, result = invoke(process, {})
    assert result.payload == b"null" and not result.is_error
    assert "\tWARN\tnothing to return" in result.logs


def test_a_thrown_error_is_an_error_result_and_the_process_stays(started):
    process = started("handlers.fails")
    pid = process.pid
    _, result = invoke(process, {"id": "r1"})
    assert result.is_error
    error = json.loads(result.payload)
    assert error["errorType"] == "TypeError"
    assert error["errorMessage"] == "bad record r1"
    assert error["trace"][0].startswith("TypeError: bad record r1")
    assert "\tERROR\tabout to fail on r1" in result.logs
    _, again = invoke(process, {"id": "r2"})
    assert json.loads(again.payload)["errorMessage"] == "bad record r2"
    assert process.pid == pid


def test_callback_error(started):
    _, result = invoke(started("handlers.callbackError"), {})
    assert result.is_error and json.loads(result.payload)["errorMessage"] == "callback failure"


def test_timeout_kills_the_process_and_the_next_invocation_starts_a_fresh_one(started):
    process = started("handlers.sleeps", timeout=1)
    first_pid = process.pid
    request_id, result = invoke(process, {"ms": 5000})
    assert result.is_error
    error = json.loads(result.payload)
    assert error["errorMessage"].endswith(f"{request_id} Task timed out after 1.00 seconds")
    assert "sleeping 5000" in result.logs
    assert "Task timed out after 1.00 seconds" in result.logs
    assert not process.alive
    _, result = invoke(process, {"ms": 10})
    assert not result.is_error and json.loads(result.payload) == "woke"
    assert process.pid != first_pid
    assert "module loaded" in result.logs  # a cold start: init ran again


def test_an_unhandled_rejection_fails_the_invocation_and_restarts(started):
    process = started("handlers.unhandled")
    _, result = invoke(process, {})
    assert result.is_error
    assert json.loads(result.payload)["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert "nobody awaits me" in result.logs
    _, result = invoke(process, {})  # a new process, same outcome, no hang
    assert json.loads(result.payload)["errorType"] == "Runtime.UnhandledPromiseRejection"


def test_a_process_that_exits_is_an_exit_error(started):
    process = started("handlers.exits")
    _, result = invoke(process, {})
    assert result.is_error
    assert "Runtime exited with error: exit status 3" in json.loads(result.payload)["errorMessage"]


def test_output_without_newline_and_nested_handlers(started):
    request_id, result = invoke(started("handlers.partialLine"), {})
    assert f"no newline at the end\nEND RequestId: {request_id}" in result.logs
    _, result = invoke(started("handlers.nested.inner"), {})
    assert json.loads(result.payload) == "nested ok"


def test_esm_module():
    process = NodeProcess(settings("esm.handler"))
    process.start()
    try:
        _, result = invoke(process, {"value": 42})
        assert json.loads(result.payload) == {"esm": True, "got": 42}
    finally:
        process.stop()


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        ("broken.handler", "Error", "cannot load"),
        ("handlers.missing", "Runtime.HandlerNotFound", "handlers.missing is undefined or not exported"),
        ("nofile.handler", "Runtime.ImportModuleError", "Cannot find module 'nofile'"),
        ("syntax.handler", "Runtime.UserCodeSyntaxError", "Unexpected end of input"),
    ],
)
def test_init_failures(handler, error_type, message):
    process = NodeProcess(settings(handler))
    with pytest.raises(InitError) as raised:
        process.start()
    error = json.loads(raised.value.payload)
    assert error["errorType"] == error_type
    assert message in error["errorMessage"]
    assert not process.alive


def test_stop_ends_the_process(started):
    process = started("handlers.echo")
    pid = process.pid
    process.stop()
    assert not process.alive
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
