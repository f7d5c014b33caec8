"""The plux entry point: LocalStack loads executors by name from this namespace."""
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class LocalProcessRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    name = "local"

    def load(self, *args, **kwargs):
        from cdc_localstack_executor.executor import LocalProcessRuntimeExecutor

        return LocalProcessRuntimeExecutor
