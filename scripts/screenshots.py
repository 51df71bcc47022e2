"""Render the main window's panels in both languages into docs/screenshots/ (offscreen).

    python scripts/screenshots.py [--out docs/screenshots] [--panels dashboard,projects,settings]

Uses a temporary data folder with a few sample projects, so nothing of yours is shown.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SAMPLE_PROJECTS = {
    "en": [("Support assistant", "Fine-tune SmolLM2 on our help-desk answers."),
           ("Contract Q&A", "RAG over signed contracts, with citations."),
           ("Bilingual FAQ", "English and Chinese FAQ pairs for a LoRA adapter.")],
    "zh_CN": [("客服助手", "用帮助台问答微调 SmolLM2。"),
              ("合同问答", "基于已签合同的检索增强问答，附引用。"),
              ("双语常见问题", "中英文常见问题对，用于训练 LoRA 适配器。")],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    parser.add_argument("--panels", default="dashboard,projects,datasets,training,experiments,models,chat,knowledge,gpu,logs,settings")
    parser.add_argument("--with-run", action="append", default=[], metavar="RUN_DIR",
                        help="copy a finished run folder in, so Training and Experiments show real charts")
    parser.add_argument("--model-dir", default=None,
                        help="a converted bundled model folder (see `ai-platform setup-models`): the chat and "
                             "knowledge screenshots then show real answers from the sample project")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from app.core.db import open_database
    from app.core.projects import ProjectStore
    from app.views.app import create_main_window

    app = QApplication.instance() or QApplication(sys.argv)
    keep = tempfile.TemporaryDirectory()
    for lang in ("en", "zh_CN"):
        if True:
            home = os.path.join(keep.name, lang)
            os.environ["AI_PLATFORM_HOME"] = home
            db = open_database()
            store = ProjectStore(db)
            for name, desc in SAMPLE_PROJECTS[lang]:
                store.create(name, desc)
            from app.core.datasets import DatasetStore

            import shutil

            for run in args.with_run:
                shutil.copytree(run, Path(home) / "runs" / Path(run).name)
            DatasetStore(db).import_file(REPO / "resources/samples/sample_sft_en_zh.jsonl",
                                         name="Aurora FAQ" if lang == "en" else "Aurora 常见问题", val_ratio=0.1)
            sample = None
            if args.model_dir:
                from app.core import bundled, samples

                target = bundled.default_model_dir(Path(home))
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(Path(args.model_dir).resolve(), target_is_directory=True)
                sample = samples.create_sample_project(db)
                samples.index_sample_kb(db, sample)
            db.close()
            window = create_main_window(app)
            window.ctx.runs  # index the copied run folders, as a normal start does after its first paint
            window.ctx.set_language(lang)
            window.resize(1180, 760)
            window.show()
            while not window.ctx.is_painted:  # what waits for the first paint (the dashboard's data)
                app.processEvents()
            for key in args.panels.split(","):
                window.show_panel(key)
                panel = window.panel(key)
                if key == "chat" and sample is not None:
                    real_chat(app, panel, sample, lang)
                if hasattr(panel, "table") and panel.table.rowCount():
                    panel.table.selectRow(0)
                for _ in range(5):
                    app.processEvents()
                path = out / f"{key}-{lang}.png"
                window.grab().save(str(path))
                print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
            window.close()
            window.deleteLater()
            app.processEvents()


QUESTIONS = {"en": ("What does the Training panel show while a run trains?", "Say hello in one short sentence."),
             "zh_CN": ("训练时训练面板会显示什么？", "用一句话打个招呼。")}


def real_chat(app, panel, sample, lang: str) -> None:
    """Two real answers from the bundled model: a plain one, then one grounded in the sample KB."""
    import time

    panel.ctx.serve._engine_choice = "transformers"
    panel.side.temperature.setValue(0.0)
    panel.side.max_tokens.setValue(60)
    grounded, plain = QUESTIONS[lang]
    for text, kbs in ((plain, []), (grounded, [sample.kb.id])):
        panel.side.set_attached(kbs)
        panel.send(text)
        deadline = time.monotonic() + 300
        while panel.answers.jobs and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
    panel.ctx.serve.shutdown()
    panel.ctx.kb_query.shutdown()
    panel.render(force_bottom=True)


if __name__ == "__main__":
    main()
