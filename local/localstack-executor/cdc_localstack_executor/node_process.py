"""
One function environment as a local Node.js process: start (the init phase), invoke with a
timeout, collect what the function printed, stop. Knows nothing of LocalStack, so it can be
tested on its own; `executor.py` adapts it to LocalStack's RuntimeExecutor.

The process runs `bootstrap.js`; the two talk over a socket pair whose runtime end is passed as
the fd named by CDC_EXECUTOR_FD (see there).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

BOOTSTRAP = Path(__file__).with_name("bootstrap.js")
MARK = b"\x1e"
# What get_output_tail keeps of everything the process printed (for LocalStack's debug logs).
TAIL_BYTES = 64 * 1024


class InitError(Exception):
    """The function's module could not be loaded (the init phase failed)."""

    def __init__(self, payload: bytes, logs: str):
        super().__init__(payload.decode("utf-8", "replace"))
        self.payload = payload
        self.logs = logs


@dataclasses.dataclass
class Result:
    request_id: str
    payload: bytes
    is_error: bool
    logs: str


@dataclasses.dataclass
class FunctionSettings:
    node: str
    task_root: str
    handler: str
    timeout_seconds: float
    memory_mb: int
    version: str = "$LATEST"
    environment: dict[str, str] = dataclasses.field(default_factory=dict)
    init_timeout_seconds: float = 20.0


class NodeProcess:
    def __init__(self, settings: FunctionSettings):
        self.settings = settings
        self._process: subprocess.Popen | None = None
        self._channel: socket.socket | None = None
        self._messages: queue.Queue = queue.Queue()
        self._output = bytearray()  # printed since the last invocation's mark
        self._output_lock = threading.Condition()
        self._tail = bytearray()
        self._threads: list[threading.Thread] = []
        self._stopped = False
        self._lock = threading.Lock()

    # lifecycle ------------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        """Starts the process and waits until the handler is loaded; InitError if it is not."""
        self._stopped = False
        ours, theirs = socket.socketpair()
        env = {key: str(value) for key, value in self.settings.environment.items()}
        env["CDC_EXECUTOR_FD"] = str(theirs.fileno())
        heap = max(16, self.settings.memory_mb * 9 // 10)
        self._process = subprocess.Popen(
            [self.settings.node, f"--max-old-space-size={heap}", str(BOOTSTRAP)],
            cwd=self.settings.task_root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(theirs.fileno(),),
            # Same process group as LocalStack: whatever stops LocalStack's group stops the functions.
        )
        theirs.close()
        self._channel = ours
        self._messages = queue.Queue()
        with self._output_lock:
            self._output = bytearray()
        self._threads = [
            threading.Thread(target=self._read_output, args=(self._process.stdout,), daemon=True, name="node-output"),
            threading.Thread(target=self._read_channel, args=(ours,), daemon=True, name="node-channel"),
        ]
        for thread in self._threads:
            thread.start()
        try:
            message = self._messages.get(timeout=self.settings.init_timeout_seconds)
        except queue.Empty:
            self.stop()
            raise InitError(
                _error_payload("Runtime.InitTimeout", f"the handler did not load within {self.settings.init_timeout_seconds:.0f} s"),
                self._take_output_all(),
            )
        if message.get("type") == "ready":
            return
        self._drain_output()
        logs = self._take_output_all()
        self.stop()
        if message.get("type") == "init-error":
            raise InitError(json.dumps(message["error"]).encode(), logs)
        raise InitError(_error_payload("Runtime.ExitError", f"Runtime exited during init: {self._exit_text()}"), logs)

    def stop(self) -> None:
        self._stopped = True
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        if self._channel is not None:
            try:
                self._channel.close()
            except OSError:
                pass
        for thread in self._threads:
            thread.join(timeout=2)

    def output_tail(self) -> str:
        with self._output_lock:
            return bytes(self._tail).replace(MARK, b"").decode("utf-8", "replace")

    # invocations ----------------------------------------------------------------------------
    def invoke(self, request_id: str, payload: str, function_arn: str = "", trace_id: str = "") -> Result:
        """Runs one invocation. Never raises for the function's own failures: they are results."""
        with self._lock:
            started = time.monotonic()
            if not self.alive:
                # The previous invocation timed out or crashed: a fresh environment, as on AWS.
                try:
                    self.start()
                except InitError as error:
                    return Result(request_id, error.payload, True, self._framed(request_id, error.logs, started))
            timeout = self.settings.timeout_seconds
            request = {
                "id": request_id,
                "payload": payload,
                "arn": function_arn,
                "traceId": trace_id,
                "deadlineMs": int(time.time() * 1000 + timeout * 1000),
            }
            try:
                self._channel.sendall((json.dumps(request) + "\n").encode())
            except OSError:
                self.stop()
                return self._exit_result(request_id, started)
            deadline = started + timeout
            while True:
                try:
                    message = self._messages.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    return self._timeout_result(request_id, started)
                if message.get("type") == "closed":
                    return self._exit_result(request_id, started)
                if message.get("id") != request_id:
                    continue  # a stray answer to an earlier invocation
                logs = self._take_output_until(request_id)
                if message.get("fatal"):
                    self._await_exit()
                if message["type"] == "result":
                    return Result(request_id, message["payload"].encode(), False, self._framed(request_id, logs, started))
                return Result(request_id, json.dumps(message["error"]).encode(), True, self._framed(request_id, logs, started))

    def _timeout_result(self, request_id: str, started: float) -> Result:
        self.stop()
        self._drain_output()
        logs = self._take_output_all()
        seconds = self.settings.timeout_seconds
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        message = f"{stamp} {request_id} Task timed out after {seconds:.2f} seconds"
        logs = f"{logs}{'' if not logs or logs.endswith(chr(10)) else chr(10)}{message}\n"
        payload = json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": message}).encode()
        return Result(request_id, payload, True, self._framed(request_id, logs, started))

    def _exit_result(self, request_id: str, started: float) -> Result:
        self.stop()
        self._drain_output()
        logs = self._take_output_all()
        payload = _error_payload("Runtime.ExitError", f"RequestId: {request_id} Error: Runtime exited with error: {self._exit_text()}")
        return Result(request_id, payload, True, self._framed(request_id, logs, started))

    def _await_exit(self, seconds: float = 2.0) -> None:
        try:
            self._process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            pass
        self.stop()

    def _exit_text(self) -> str:
        code = self._process.poll() if self._process else None
        if code is None:
            return "unknown"
        return f"signal: {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"

    def _framed(self, request_id: str, logs: str, started: float) -> str:
        """START / END / REPORT around the function's output, as LocalStack's init writes them."""
        duration = (time.monotonic() - started) * 1000
        if logs and not logs.endswith("\n"):
            logs += "\n"
        return (
            f"START RequestId: {request_id} Version: {self.settings.version}\n"
            f"{logs}"
            f"END RequestId: {request_id}\n"
            f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: {math.ceil(duration)} ms\t"
            f"Memory Size: {self.settings.memory_mb} MB\tMax Memory Used: {self._peak_memory_mb()} MB\t\n"
        )

    def _peak_memory_mb(self) -> int:
        try:
            for line in Path(f"/proc/{self._process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
        except (OSError, AttributeError, ValueError, IndexError):
            pass
        return 0

    # output -----------------------------------------------------------------------------------
    def _read_output(self, stream) -> None:
        while True:
            chunk = stream.read1(65536)
            if not chunk:
                break
            with self._output_lock:
                self._output += chunk
                self._tail += chunk
                del self._tail[:-TAIL_BYTES]
                self._output_lock.notify_all()
        with self._output_lock:
            self._output_lock.notify_all()

    def _read_channel(self, channel: socket.socket) -> None:
        buffer = b""
        try:
            while True:
                data = channel.recv(65536)
                if not data:
                    break
                buffer += data
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if line.strip():
                        self._messages.put(json.loads(line))
        except OSError:
            pass
        self._messages.put({"type": "closed"})

    def _take_output_until(self, request_id: str, wait_seconds: float = 2.0) -> str:
        """The output before this invocation's mark (the runtime writes it before the result)."""
        mark = MARK + request_id.encode() + MARK
        deadline = time.monotonic() + wait_seconds
        with self._output_lock:
            while mark not in self._output and time.monotonic() < deadline:
                self._output_lock.wait(timeout=0.05)
            index = self._output.find(mark)
            if index < 0:
                taken, self._output = bytes(self._output), bytearray()
            else:
                taken = bytes(self._output[:index])
                del self._output[: index + len(mark)]
        return taken.replace(MARK, b"").decode("utf-8", "replace")

    def _take_output_all(self) -> str:
        with self._output_lock:
            taken, self._output = bytes(self._output), bytearray()
        return _strip_marks(taken)

    def _drain_output(self) -> None:
        """After the process ended: let the reader reach the end of the pipe."""
        for thread in self._threads:
            if thread.name == "node-output":
                thread.join(timeout=2)


def _strip_marks(data: bytes) -> str:
    parts = data.split(MARK)
    # marks come in pairs around a request id: keep the text outside them
    return b"".join(parts[0::2]).decode("utf-8", "replace")


def _error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()

