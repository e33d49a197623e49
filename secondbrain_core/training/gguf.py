"""A merged checkpoint → GGUF, with llama.cpp's own `convert_hf_to_gguf.py`.

The converter is not installed by any wheel: it ships in the `llama-cpp-python` sdist (under
`vendor/llama.cpp/`, beside its `conversion/` package and `gguf-py`). On first use the sdist of
the installed llama-cpp-python version is fetched with pip (from pip's cache when it has it:
`pip download llama-cpp-python==V --no-deps --no-binary llama-cpp-python`) and those files are
extracted under `$SECONDBRAIN_HOME/tools/llama.cpp-V/`; later conversions reuse them. Only this
package is asked for as an sdist: `--no-binary :all:` reaches its build requirements too, and pip
then compiled cmake from source to read the sdist's metadata (4 min of a fresh demo, not 7 s).
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.settings import Settings

OUTTYPE = "q8_0"  # 8-bit: near-lossless for a 135M model, and llama.cpp's fast path on CPU
PIP_FLAGS = ["--no-deps", "--no-binary", "llama-cpp-python", "-q"]
NEEDED = ("convert_hf_to_gguf.py", "conversion/", "gguf-py/")


def converter(settings: Settings) -> Path:
    """The extracted `convert_hf_to_gguf.py` for the installed llama-cpp-python, fetched once."""
    version = importlib.metadata.version("llama_cpp_python")
    root = settings.home.resolve() / "tools" / f"llama.cpp-{version}"
    script = root / "convert_hf_to_gguf.py"
    if script.is_file():
        return script
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", f"llama-cpp-python=={version}", *PIP_FLAGS, "-d", tmp],
            capture_output=True,
            text=True,
            check=False,
        )
        sdists = list(Path(tmp).glob("*.tar.gz"))
        if not sdists:
            raise SecondBrainError(
                f"cannot fetch the llama-cpp-python {version} sdist for GGUF conversion: {done.stderr[-300:]}"
            )
        with tarfile.open(sdists[0]) as archive:
            prefix = f"{archive.getnames()[0].split('/')[0]}/vendor/llama.cpp/"
            members = [
                m
                for m in archive.getmembers()
                if m.name.startswith(prefix) and m.name[len(prefix) :].startswith(NEEDED)
            ]
            for member in members:
                member.name = member.name[len(prefix) :]
            archive.extractall(root, members=members, filter="data")
    if not script.is_file():
        raise SecondBrainError(f"the llama-cpp-python {version} sdist holds no convert_hf_to_gguf.py")
    return script


def to_gguf(model_dir: Path, out_file: Path, settings: Settings) -> Path:
    """Convert a transformers checkpoint folder to one GGUF file (`OUTTYPE`)."""
    script = converter(settings)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(script.parent / "gguf-py"), str(script.parent)])}
    done = subprocess.run(
        [sys.executable, str(script), str(model_dir), "--outfile", str(out_file), "--outtype", OUTTYPE],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0 or not out_file.is_file():
        raise SecondBrainError(f"GGUF conversion of {model_dir} failed: {done.stderr[-500:]}")
    return out_file
