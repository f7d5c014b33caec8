"""The executor as LocalStack sees it: found by name in the plux namespace, started with
LocalStack's environment, answering invocations with InvocationResults."""

import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

# These tests run in LocalStack's own virtualenv. A Python without localstack is a broken setup,
# not a reason to skip: fail, saying what is missing and how to get it.
try:
    import localstack  # noqa: F401

    MISSING = None
except ImportError as error:
    MISSING = str(error)
if MISSING is not None:
    pytest.fail(
        f"localstack is not importable in {sys.executable} ({MISSING}): these tests run in LocalStack's virtualenv. "
        "Run them with `bash scripts/test-localstack-executor.sh` (it installs LocalStack 4.14.0 first, as "
        "`CDC_EMULATOR=localstack npm run engines:install -- --emulator-only` does, into "
        "CDC_LOCAL_DIR/engines/localstack-4.14.0/venv, default .local), or install it into this Python: "
        "`pip install -r local/engines/localstack-requirements.lock`.",
        pytrace=False,
    )

from localstack.services.lambda_.invocation.executor_endpoint import StatusErrorException  # noqa: E402
from localstack.services.lambda_.invocation.runtime_executor import (  # noqa: E402
    EXECUTOR_PLUGIN_MANAGER,
    LambdaRuntimeException,
)

from cdc_localstack_executor.executor import LocalProcessRuntimeExecutor  # noqa: E402

FUNCTIONS = Path(__file__).with_name("functions")


def function_version(handler="handlers.echo", runtime="nodejs22.x", timeout=3, environment=None):
    code = SimpleNamespace(get_unzipped_code_location=lambda: FUNCTIONS, prepare_for_execution=lambda: None)
    config = SimpleNamespace(
        runtime=runtime,
        handler=handler,
        timeout=timeout,
        memory_size=128,
        environment=environment or {},
        layers=[],
        code=code,
    )
    return SimpleNamespace(
        config=config,
        id=SimpleNamespace(function_name="fn", qualifier="$LATEST"),
        qualified_arn="arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST",
    )


def localstack_environment(**extra):
    """What LocalStack's ExecutionEnvironment passes to start() (a subset, with its /var/task)."""
    return {
        "AWS_LAMBDA_FUNCTION_NAME": "fn",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": 128,
        "AWS_LAMBDA_FUNCTION_TIMEOUT": 3,
        "LAMBDA_TASK_ROOT": "/var/task",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
        "_HANDLER": "handlers.echo",
        **extra,
    }


def test_registered_in_localstacks_executor_namespace():
    assert EXECUTOR_PLUGIN_MANAGER.exists("local")
    assert EXECUTOR_PLUGIN_MANAGER.load("local").load().__name__ == LocalProcessRuntimeExecutor.__name__


def test_start_invoke_stop():
    executor = LocalProcessRuntimeExecutor("env1", function_version(environment={"CUSTOM_SETTING": "mine"}))
    executor.start(localstack_environment(CUSTOM_SETTING="mine"))
    try:
        result = executor.invoke(
            {"invoke-id": "req-1", "invoked-function-arn": "arn:fn", "payload": json.dumps({"k": "v"}), "trace-id": "Root=1-x"}
        )
        assert result.request_id == "req-1" and not result.is_error
        body = json.loads(result.payload)
        assert body["event"] == {"k": "v"}
        assert body["custom"] == "mine"
        assert body["tmp"] == executor.tmp_dir
        assert "START RequestId: req-1" in result.logs and "REPORT RequestId: req-1" in result.logs
        assert "module loaded" in executor.get_logs()
    finally:
        executor.stop()
    assert not os.path.exists(executor.tmp_dir)


def test_errors_and_timeouts_are_error_results():
    executor = LocalProcessRuntimeExecutor("env2", function_version(handler="handlers.sleeps", timeout=1))
    executor.start(localstack_environment(_HANDLER="handlers.sleeps"))
    try:
        result = executor.invoke({"invoke-id": "req-2", "payload": json.dumps({"ms": 3000})})
        assert result.is_error
        assert "Task timed out after 1.00 seconds" in json.loads(result.payload)["errorMessage"]
    finally:
        executor.stop()


def test_init_failure_is_reported_like_the_init_binary_does():
    executor = LocalProcessRuntimeExecutor("env3", function_version(handler="broken.handler"))
    with pytest.raises(StatusErrorException) as raised:
        executor.start(localstack_environment(_HANDLER="broken.handler"))
    assert json.loads(raised.value.payload)["errorMessage"] == "cannot load"
    executor.stop()


def test_other_runtimes_are_refused_when_the_function_is_created():
    with pytest.raises(LambdaRuntimeException, match="Node.js functions only"):
        LocalProcessRuntimeExecutor.prepare_version(function_version(runtime="python3.12"))
    LocalProcessRuntimeExecutor.prepare_version(function_version())


def test_the_function_reaches_localstack_on_its_gateway():
    executor = LocalProcessRuntimeExecutor("env4", function_version())
    assert executor.get_endpoint_from_executor() == "127.0.0.1"  # GATEWAY_LISTEN's default 0.0.0.0, reached on loopback
    assert executor.get_runtime_endpoint().endswith("/_localstack_lambda/env4")
