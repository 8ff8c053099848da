"""The local AWS of the deploy test: a patched moto_server on a free loopback port and an aws CLI
fork server, both stopped by their pids when the test ends (also on failure)."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalAws:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.procs = []

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        # moto reads a nested stack's TemplateURL from its own S3 only when the URL names
        # "localhost": the endpoint is spelled so (it resolves to the loopback address moto binds).
        self.endpoint = f"http://localhost:{self.port}"
        log = open(self.folder / "moto.log", "w")
        self.procs.append(subprocess.Popen([sys.executable, str(HERE / "moto_patched.py"),
                                            str(self.port)], stdout=log, stderr=log))
        sock = self.folder / "aws.sock"
        if sock.exists():
            sock.unlink()
        zlog = open(self.folder / "aws-zygote.log", "w")
        self.procs.append(subprocess.Popen([sys.executable, str(HERE / "aws_zygote.py"), "serve",
                                            str(sock)], stdout=zlog, stderr=zlog))
        bindir = self.folder / "bin"
        bindir.mkdir(exist_ok=True)
        shim = bindir / "aws"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "{HERE / "aws_zygote.py"}" call '
                        f'"{sock}" "$@"\n')
        shim.chmod(0o755)
        self.env = dict(os.environ)
        self.env.update({
            "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
            "AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION, "AWS_PAGER": "",
        })
        os.environ.update({k: self.env[k] for k in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
                                                     "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")})
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2)
                if sock.exists():
                    break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            self.__exit__(None, None, None)
            raise RuntimeError("moto_server or the aws fork server did not start; see " +
                               str(self.folder))
        import boto3
        self.session = boto3.session.Session(region_name=REGION)
        return self

    def client(self, service):
        return self.session.client(service, endpoint_url=self.endpoint)

    def reset(self):
        req = urllib.request.Request(self.endpoint + "/moto-api/reset", method="POST")
        urllib.request.urlopen(req, timeout=30).read()

    def __exit__(self, *exc):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        return False
