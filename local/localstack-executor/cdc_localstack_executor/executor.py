"""
LocalStack's RuntimeExecutor for Node.js functions as local processes (LAMBDA_RUNTIME_EXECUTOR=local).

Where the Docker executor starts a container with LocalStack's init binary, which calls back to
LocalStack over HTTP (`executor_endpoint.py`), this one starts the machine's `node` with
`bootstrap.js` and answers `invoke` directly with the result, the error and the logs.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import StatusErrorException
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException, RuntimeExecutor

from cdc_localstack_executor.node_process import FunctionSettings, InitError, NodeProcess

LOG = logging.getLogger(__name__)

# Host variables a function process keeps (everything else comes from the function's configuration).
PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS")


def node_command() -> str | None:
    """The machine's node: CDC_EXECUTOR_NODE, else `node` on the PATH."""
    return os.environ.get("CDC_EXECUTOR_NODE") or shutil.which("node")


def gateway_host() -> str:
    host = config.GATEWAY_LISTEN[0].host
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


class LocalProcessRuntimeExecutor(RuntimeExecutor):
    process: NodeProcess | None

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self.process = None
        self.tmp_dir: str | None = None

    def start(self, env_vars: dict[str, str]) -> None:
        function_config = self.function_version.config
        _require_node_runtime(self.function_version)
        node = node_command()
        if not node:
            raise LambdaRuntimeException("no `node` on the PATH of LocalStack (set CDC_EXECUTOR_NODE)")
        task_root = str(function_config.code.get_unzipped_code_location())
        # The function's /tmp: its own folder, removed with the environment.
        self.tmp_dir = tempfile.mkdtemp(prefix=f"lambda-{self.function_version.id.function_name}-{self.id[:8]}-")
        environment = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
        environment.update({key: str(value) for key, value in env_vars.items()})
        environment.update(
            {
                "LAMBDA_TASK_ROOT": task_root,
                "LAMBDA_RUNTIME_DIR": str(Path(__file__).parent),
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{function_config.runtime}",
                "TMPDIR": self.tmp_dir,
                "HOME": self.tmp_dir,
            }
        )
        # The function's own variables win over everything (as LocalStack's env_vars already do).
        environment.update(function_config.environment or {})
        self.process = NodeProcess(
            FunctionSettings(
                node=node,
                task_root=task_root,
                handler=function_config.handler,
                timeout_seconds=float(function_config.timeout),
                memory_mb=int(function_config.memory_size),
                version=self.function_version.id.qualifier,
                environment=environment,
                init_timeout_seconds=float(config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT),
            )
        )
        try:
            self.process.start()
        except InitError as error:
            LOG.warning("Init of %s failed: %s\n%s", self.function_version.qualified_arn, error, error.logs)
            raise StatusErrorException("Environment startup failed", payload=error.payload) from error
        LOG.debug("Started %s as local node process %s", self.function_version.qualified_arn, self.process.pid)

    def stop(self) -> None:
        if self.process:
            self.process.stop()
        if self.tmp_dir:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        return gateway_host()

    def get_runtime_endpoint(self) -> str:
        return f"http://{gateway_host()}:{config.GATEWAY_LISTEN[0].port}/_localstack_lambda/{self.id}"

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        if not self.process:
            raise LambdaRuntimeException(f"executor {self.id} was not started")
        request_id = payload["invoke-id"]
        result = self.process.invoke(
            request_id,
            payload.get("payload") or "",
            function_arn=payload.get("invoked-function-arn", ""),
            trace_id=payload.get("trace-id", ""),
        )
        return InvocationResult(request_id=request_id, payload=result.payload, is_error=result.is_error, logs=result.logs)

    def get_logs(self) -> str:
        return self.process.output_tail() if self.process else ""

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        _require_node_runtime(function_version)
        if function_version.config.layers:
            LOG.warning("Layers are not supported by the local executor: %s runs without them", function_version.qualified_arn)
        if function_version.config.code:
            function_version.config.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        if not node_command():
            LOG.warning("The local Lambda executor needs `node` on the PATH (or CDC_EXECUTOR_NODE): functions cannot run")
            return False
        return True


def _require_node_runtime(function_version: FunctionVersion) -> None:
    function_config = function_version.config
    if not function_config.runtime or not str(function_config.runtime).startswith("nodejs"):
        raise LambdaRuntimeException(
            f"the local executor runs Node.js functions only; {function_version.qualified_arn} has runtime "
            f"{function_config.runtime or 'none (container image)'}"
        )
