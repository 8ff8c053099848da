"""A fork server for the aws CLI, so that a deploy script's many `aws` calls do not each pay
the CLI's import time (several seconds on a busy machine).

    python3 aws_zygote.py serve SOCKET      # imports awscli once, then forks per call
    python3 aws_zygote.py call SOCKET ARGS  # what the `aws` shim on PATH runs

A call passes its argv, environment, working directory and its stdin/stdout/stderr (as file
descriptors over the Unix socket) to the server, which forks a child that runs the real
`awscli.clidriver.main()` with them; the child's exit code is sent back. The child is a fresh
process image of the CLI, so calls share no state.
"""
import array
import json
import os
import signal
import socket
import struct
import sys
import threading


def _send_fds(sock, payload, fds):
    sock.sendmsg([struct.pack("!I", len(payload)) + payload],
                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])


def _recv_request(conn):
    fds = array.array("i")
    data, ancdata, _, _ = conn.recvmsg(1 << 20, socket.CMSG_LEN(3 * fds.itemsize))
    for level, kind, cmsg in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(cmsg[: len(cmsg) - (len(cmsg) % fds.itemsize)])
    (size,) = struct.unpack("!I", data[:4])
    body = data[4:]
    while len(body) < size:
        body += conn.recv(size - len(body))
    return json.loads(body), list(fds)


def _run_child(request, fds):
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    data_path = os.environ.get("AWS_DATA_PATH")  # set by importing awscli: where its data lives
    os.environ.clear()
    os.environ.update(request["env"])
    if data_path:
        os.environ["AWS_DATA_PATH"] = data_path
    sys.argv = ["aws"] + request["argv"]
    # Python's own stdio objects were made for the server's descriptors: rebuild them.
    sys.stdin = open(0, "r", closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    from awscli.clidriver import main
    try:
        code = main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


def _warm_up():
    """What every call would otherwise redo after the fork: the CLI's plugins (awscli.handlers
    imports every customization: ~2 s of a call's ~3.5 s CPU, measured) and the service models
    the deploy kit uses, read once by one data loader that every call's session then shares
    (its caches hold parsed JSON, which no call modifies)."""
    import awscli.clidriver  # noqa: F401
    import awscli.handlers  # noqa: F401
    import awscli.customizations.cloudformation.package  # noqa: F401
    import awscli.customizations.cloudformation.deploy  # noqa: F401
    import awscli.customizations.s3.subcommands  # noqa: F401
    import botocore.loaders
    import botocore.session
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    search_path = session.get_config_variable("data_path")
    for service in ("cloudformation", "s3", "s3api", "sts"):
        for kind in ("service-2", "paginators-1", "waiters-2"):
            try:
                loader.load_service_model("s3" if service == "s3api" else service, kind)
            except Exception:
                pass  # a model a service does not have
    for name in ("endpoints", "partitions", "sdk-default-configuration", "_retry"):
        try:
            loader.load_data(name)
        except Exception:
            pass
    original = botocore.loaders.create_loader

    def shared_loader(search_path_string=None):
        return loader if search_path_string == search_path else original(search_path_string)

    botocore.session.create_loader = shared_loader


def serve(path):
    _warm_up()  # the point: done once, before forking
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)  # left by an earlier run
    server.bind(path)
    server.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        request, fds = _recv_request(conn)
        pid = os.fork()
        if pid == 0:
            server.close()
            conn.close()
            _run_child(request, fds)
        for fd in fds:
            os.close(fd)
        threading.Thread(target=_report_exit, args=(conn, pid), daemon=True).start()


def _report_exit(conn, pid):
    """Waits for one call's child (waitpid releases the interpreter lock) and sends its code."""
    _, status = os.waitpid(pid, 0)
    try:
        conn.sendall(struct.pack("!i", os.waitstatus_to_exitcode(status)))
    finally:
        conn.close()


def call(path, argv):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    payload = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
    _send_fds(sock, payload, [0, 1, 2])
    data = b""
    while len(data) < 4:
        chunk = sock.recv(4 - len(data))
        if not chunk:
            return 1
        data += chunk
    (code,) = struct.unpack("!i", data)
    return code


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        sys.exit(call(sys.argv[2], sys.argv[3:]))
