"""Download a model from the Hugging Face hub into the data folder.

    python -m app.engines.download --repo OWNER/NAME --out DIR [--revision REV]

The token comes from the environment (``HF_TOKEN``, set by the app from the keyring) or, when run
by hand, from the keyring (app/core/secrets.py). Files land in a temp folder beside ``--out`` and
are renamed into place only when every file arrived, so ``--out`` is either absent or complete.
Offline (no network, or ``HF_HUB_OFFLINE``): one ``error`` event that says so and what to do.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from app.core import paths
from app.core.engine_runtime import EngineRuntime, run_main

OFFLINE_MESSAGE = "Cannot reach the Hugging Face hub: this computer looks offline."
OFFLINE_HINT = ("Connect to the internet and try again. Without a network, download the model on another "
                "computer and use Import local folder (a Hugging Face folder) or Import GGUF (a .gguf file).")
# Only the files a model needs: not the other formats many repos carry beside safetensors.
ALLOW = ("*.json", "*.safetensors", "*.model", "*.txt", "*.jinja", "*.tiktoken", "*.py", "*.md")


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app.engines.download", description=__doc__.split("\n")[0])
    ap.add_argument("--repo", required=True, help="the model id, owner/name")
    ap.add_argument("--out", type=Path, required=True, help="the folder to create")
    ap.add_argument("--revision", default=None)
    return ap.parse_args(argv)


def _token() -> str | None:
    token = os.environ.get("HF_TOKEN")
    if token:
        return token
    try:
        from app.core import secrets

        return secrets.get_secret(secrets.HF_TOKEN)
    except Exception:  # noqa: BLE001 - no keyring: anonymous download (public models work)
        return None


def _is_offline_error(exc: BaseException) -> bool:
    from huggingface_hub.errors import LocalEntryNotFoundError, OfflineModeIsEnabled

    if isinstance(exc, (OfflineModeIsEnabled, LocalEntryNotFoundError, ConnectionError, TimeoutError)):
        return True
    try:
        import httpx

        if isinstance(exc, (httpx.ConnectError, httpx.TimeoutException)):
            return True
    except ImportError:
        pass
    try:
        import requests

        if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
            return True
    except ImportError:
        pass
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and _is_offline_error(cause)


def download(rt: EngineRuntime, args: argparse.Namespace) -> str:
    t0 = time.monotonic()
    out = args.out.expanduser().resolve()
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        rt.error(OFFLINE_MESSAGE + " (HF_HUB_OFFLINE is set)", hint=OFFLINE_HINT,
                 extra={"code": "download.offline_env", "params": {}})
        return "failed"
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    token = _token()
    try:
        rt.progress(0, None, message=f"Asking the hub about {args.repo}", stage="download.ask", repo=args.repo)
        info = HfApi().model_info(args.repo, revision=args.revision, token=token, files_metadata=True)
    except GatedRepoError:
        rt.error(f"{args.repo} is gated: its owner must grant you access first.",
                 hint="Accept its terms on huggingface.co, then save your access token in Settings.",
                 extra={"code": "download.gated", "params": {"repo": args.repo}})
        return "failed"
    except RepositoryNotFoundError:
        rt.error(f"No model {args.repo} on the hub (or it is private).",
                 hint="Check the id (owner/name). For a private model, save your access token in Settings.",
                 extra={"code": "download.not_found", "params": {"repo": args.repo}})
        return "failed"
    except Exception as exc:
        if _is_offline_error(exc):
            rt.error(OFFLINE_MESSAGE, hint=OFFLINE_HINT, extra={"code": "download.offline", "params": {}})
            return "failed"
        raise
    import fnmatch

    files = [s for s in (info.siblings or []) if any(fnmatch.fnmatch(s.rfilename, p) for p in ALLOW)]
    if not any(s.rfilename.endswith(".safetensors") for s in files):
        rt.error(f"{args.repo} has no *.safetensors weights.",
                 hint="Pick a repository with safetensors weights, or one with a .gguf file and use Import GGUF.",
                 extra={"code": "download.no_safetensors", "params": {"repo": args.repo}})
        return "failed"
    total = sum(int(s.size or 0) for s in files) or len(files)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    done_bytes = 0
    try:
        for i, s in enumerate(files, 1):
            if rt.stop_requested:
                shutil.rmtree(tmp, ignore_errors=True)
                return "stopped"
            rt.progress(done_bytes, total, message=f"{s.rfilename} ({i}/{len(files)})", stage="download.file",
                        file=s.rfilename, i=i, n=len(files))
            try:
                hf_hub_download(args.repo, s.rfilename, revision=info.sha, token=token, local_dir=str(tmp))
            except Exception as exc:
                if _is_offline_error(exc):
                    rt.error("The connection to the Hugging Face hub was lost during the download.",
                             hint=OFFLINE_HINT, extra={"code": "download.connection_lost", "params": {}})
                    shutil.rmtree(tmp, ignore_errors=True)
                    return "failed"
                raise
            done_bytes += int(s.size or 0) or 1
        shutil.rmtree(tmp / ".cache", ignore_errors=True)
        paths.fsync_tree(tmp)
        paths.install_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    rt.progress(total, total, eta_s=0, message="Done", stage="download.done")
    rt.result(path=str(out), repo=args.repo, revision=info.sha, files=len(files), bytes=done_bytes,
              seconds=round(time.monotonic() - t0, 2))
    return "completed"


def main(argv=None) -> int:
    args = parse_args(argv)
    return run_main("download", lambda rt: download(rt, args))


if __name__ == "__main__":
    sys.exit(main())
