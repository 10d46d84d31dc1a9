"""Check reverse_proxy.conf with `nginx -t`, then two copies with ip_hash switched on.

nginx refuses the `backup` server when ip_hash comes before the server lines, and does not notice it
when ip_hash comes after them (the check is made as each server line is read).

nginx -t reads the whole configuration, opens its files and its listening socket, and stops. The
demo runs it on a copy in a temporary folder whose paths (pid, logs, temp folders) point into that
folder, whose `listen 80` becomes 127.0.0.1 on a port the demo holds, and, when run as root, with a
`user` line naming root (see local_nginx.py). It prints what it changed and what nginx said.

Needs Linux and nginx (Debian: apt-get install nginx). Copy reverse_proxy.conf and local_nginx.py
next to this file. Run: python3 check_config.py
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # finds snippets/local_nginx.py
from local_nginx import NginxMissing, find_nginx, nginx_version  # noqa: E402

CONFIG = Path(__file__).resolve().with_name("reverse_proxy.conf")


def local_copy(text: str, folder: Path, port: int) -> tuple[str, list[str]]:
    """The config with every path inside `folder` and the listen port replaced; and what changed."""
    top = [f"pid {folder}/nginx.pid;", f"error_log {folder}/error.log;"]
    if os.geteuid() == 0:  # as root nginx would switch workers to "nobody" (see local_nginx.py)
        top.insert(0, "user root root;")
    in_http = [f"    access_log {folder}/access.log;"] + [
        f"    {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    ]
    listen = f"        listen 127.0.0.1:{port};"
    lines = text.splitlines()
    assert lines.count("        listen 80;") == 1 and lines.count("http {") == 1
    lines[lines.index("        listen 80;")] = listen
    lines.insert(lines.index("http {") + 1, "\n".join(in_http))
    return "\n".join(top + lines) + "\n", top + in_http + ["listen 80;  ->  " + listen.strip()]


def nginx_test(binary: str, text: str, folder: Path, listener: socket.socket) -> tuple[int, str]:
    (folder / "nginx.conf").write_text(text)
    result = subprocess.run(
        [binary, "-t", "-p", f"{folder}/", "-c", "nginx.conf", "-e", "startup.log"],
        env={**os.environ, "NGINX": f"{listener.fileno()};"},  # hand over the socket, as local_nginx.py does
        pass_fds=[listener.fileno()],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=10,
    )
    return result.returncode, result.stderr.replace(str(folder), "<temp>").strip()


def main() -> int:
    try:
        version = nginx_version()
    except NginxMissing as missing:
        print(missing)
        return 1
    binary = find_nginx()
    assert binary is not None

    original = CONFIG.read_text()
    # "        #   ip_hash;      first three..." becomes "        ip_hash;      # first three..."
    with_ip_hash = re.sub(r"^( +)#   ip_hash;( +)", r"\1ip_hash;\2# ", original, count=1, flags=re.MULTILINE)
    backup_line = "        server 127.0.0.1:8002 backup;"
    assert original.count(backup_line) == 1
    ip_hash_after = original.replace(backup_line, backup_line + "\n        ip_hash;  # after the servers this time", 1)
    folder = Path(tempfile.mkdtemp(prefix="check-config-"))
    try:
        with socket.create_server(("127.0.0.1", 0)) as listener:
            port = listener.getsockname()[1]
            copy, changes = local_copy(original, folder, port)
            good_rc, good_out = nginx_test(binary, copy, folder, listener)
            bad_rc, bad_out = nginx_test(binary, local_copy(with_ip_hash, folder, port)[0], folder, listener)
            late_rc, late_out = nginx_test(binary, local_copy(ip_hash_after, folder, port)[0], folder, listener)
    finally:
        shutil.rmtree(folder)

    print(f"{version}; checking {CONFIG.name} with nginx -t\n")
    print("The copy in <temp> differs from the file in these lines:")
    for line in changes:
        print(f"  {line.strip().replace(str(folder), '<temp>')}")
    print(f"\n$ nginx -t   (exit status {good_rc})\n{good_out}\n")
    print("Same file with '#   ip_hash;' uncommented:")
    print(f"$ nginx -t   (exit status {bad_rc})\n{bad_out}\n")
    print("Same file with 'ip_hash;' added after the servers instead:")
    print(f"$ nginx -t   (exit status {late_rc})\n{late_out}\n")

    checks = {
        f"{CONFIG.name} passes nginx -t: syntax is ok, test is successful": good_rc == 0
        and "syntax is ok" in good_out
        and "test is successful" in good_out,
        "with ip_hash, nginx -t fails: the method does not support \"backup\"": bad_rc != 0
        and 'balancing method does not support parameter "backup"' in bad_out,
        "with ip_hash after the servers, the same backup passes nginx -t unnoticed": late_rc == 0
        and "test is successful" in late_out,
        "the ip_hash copy differs from the file in that one line only": sum(
            a != b for a, b in zip(original.splitlines(), with_ip_hash.splitlines())
        )
        == 1,
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
