"""Installs a hashed lock into the virtual environment whose Python runs this script (`make` calls it).

With uv (bootstrapped from requirements-uv.lock, hash-checked by pip), keeping every guarantee of a
`pip install --require-hashes`:

- every file is checked against the lock's hashes (`uv pip install --require-hashes`);
- the lock is complete: the packages are installed with `--no-deps`, exactly the lock's pins, then
  the same command with dependencies runs as a check: it installs nothing, and fails naming any
  dependency the lock lacks ("no trusted hash was provided for: ..."), as pip's resolver would;
- torch is this machine's CPU build from local disk, never a CUDA build: the wheel of the
  `torch==` pin in requirements.txt with a `+cpu` local version, found in pip's find-links
  folders (pip's configuration, which uv does not read), is named by path with its sha256 (the
  locks leave torch out: that file has no PyPI hash). Where no such wheel lies on the disk, the
  install is pip's, as before (torch on its own, then the locks), and says so.

uv prints each download and each package installed. The nodeps lock (`--nodeps`) is installed
without dependencies, by design (see requirements-nodeps.txt).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
UV_LOCK = ROOT / "requirements-uv.lock"
PIP = [str(BIN / "pip"), "install", "--disable-pip-version-check", "--progress-bar", "on"]


def say(line: str) -> None:
    print(f"==> {line}", flush=True)


def run(argv: list[str]) -> None:
    """Runs one installer command; its output is the terminal's, a failure stops `make`."""
    completed = subprocess.run(argv, check=False)
    if completed.returncode:
        raise SystemExit(f"install_locks: failed ({completed.returncode}): {shlex.join(argv)}")


def torch_pin() -> str:
    """The `torch==X` line of requirements.txt (the locks leave torch out)."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if re.match(r"^torch==\S+$", line.strip()):
            return line.strip()
    raise SystemExit("install_locks: requirements.txt has no `torch==` pin")


def find_links() -> list[Path]:
    """The folders pip looks in for local wheels: PIP_FIND_LINKS and pip's configuration files."""
    listed = subprocess.run(
        [str(BIN / "python"), "-m", "pip", "config", "list"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    values = [os.environ.get("PIP_FIND_LINKS", "")]
    values += [m.group(1) for m in re.finditer(r"find-links='([^']*)'", listed)]
    folders: list[Path] = []
    for value in values:
        for item in value.split():
            path = Path(item.removeprefix("file://"))
            if path.is_dir() and path not in folders:
                folders.append(path)
    return folders


def local_cpu_torch(pin: str) -> Path | None:
    """The CPU build of the pinned torch for this Python and machine, on local disk, if any."""
    version = pin.split("==", 1)[1]
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    pattern = re.compile(rf"^torch-{re.escape(version)}\+cpu-{tag}-{tag}-\S*{re.escape(platform.machine())}\.whl$")
    for folder in find_links():
        for wheel in sorted(folder.iterdir()):
            if pattern.match(wheel.name):
                return wheel
    return None


def uv_bootstrap() -> Path:
    """uv in the virtual environment, at the version requirements-uv.lock pins, hash-checked by pip."""
    uv = BIN / "uv"
    pinned = re.search(r"^uv==(\S+)", UV_LOCK.read_text(), re.MULTILINE)
    if pinned is None:
        raise SystemExit("install_locks: requirements-uv.lock pins no uv")
    have = ""
    if uv.exists():
        have = subprocess.run([str(uv), "--version"], capture_output=True, text=True, check=False).stdout
    if have.split()[1:2] != [pinned.group(1)]:
        say(f"installing the installer, uv {pinned.group(1)} (requirements-uv.lock, hash-checked)")
        run([*PIP, "--quiet", "--require-hashes", "-r", str(UV_LOCK)])
    return uv


def install_uv(lock: Path, nodeps: Path | None, torch_wheel: Path) -> None:
    uv = uv_bootstrap()
    with torch_wheel.open("rb") as wheel:
        digest = hashlib.file_digest(wheel, "sha256").hexdigest()
    torch_requirement = BIN.parent / "torch-cpu.txt"
    torch_requirement.write_text(f"torch @ {torch_wheel.as_uri()} --hash=sha256:{digest}\n")
    common = [str(uv), "pip", "install", "--python", sys.executable, "--require-hashes"]
    say(f"installing {lock.name} and torch ({torch_wheel.name}, this machine's CPU build) with uv")
    run([*common, "--no-deps", "-r", str(lock), "-r", str(torch_requirement)])
    say(f"checking that {lock.name} is complete (installs nothing; fails on a dependency it lacks)")
    run([*common, "-r", str(lock), "-r", str(torch_requirement)])
    if nodeps is not None:
        say(f"installing {nodeps.name} without dependencies")
        run([*common, "--no-deps", "-r", str(nodeps)])


def install_pip(lock: Path, nodeps: Path | None, pin: str) -> None:
    say(f"no CPU build of {pin} for this Python on this machine's disk: installing with pip (slower)")
    say(f"installing {pin} on its own, without dependencies")
    run([*PIP, "--no-deps", pin])
    say(f"installing {lock.name} (a few minutes on a fresh machine)")
    run([*PIP, "--require-hashes", "-r", str(lock)])
    if nodeps is not None:
        say(f"installing {nodeps.name} without dependencies")
        run([*PIP, "--require-hashes", "--no-deps", "-r", str(nodeps)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock", type=Path, help="a hashed lock (requirements.lock, requirements-dev.lock)")
    parser.add_argument("--nodeps", type=Path, help="a hashed lock installed without dependencies")
    args = parser.parse_args(argv)
    pin = torch_pin()
    wheel = local_cpu_torch(pin)
    if wheel is None:
        install_pip(args.lock, args.nodeps, pin)
    else:
        install_uv(args.lock, args.nodeps, wheel)


if __name__ == "__main__":
    main()
