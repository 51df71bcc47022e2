"""Settings: language, theme, data folder, CPU threads, Hugging Face token, vLLM runtime."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QMessageBox, QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget,
)

from app.core import paths, secrets
from app.core.errors import UserError
from app.views.i18n import LANGUAGE_NAMES
from app.views.panel import Panel
from app.views.widgets import show_error


class SettingsPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-settings")
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.body.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)

        # Appearance
        self.appearance = QGroupBox()
        form = QFormLayout(self.appearance)
        self.language = QComboBox()
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.theme = QComboBox()
        self.theme.addItem("", "light")
        self.theme.addItem("", "dark")
        self.theme.currentIndexChanged.connect(self._theme_chosen)
        self.language_label = QLabel()
        self.theme_label = QLabel()
        form.addRow(self.language_label, self.language)
        form.addRow(self.theme_label, self.theme)
        layout.addWidget(self.appearance)

        # Data and performance
        self.storage = QGroupBox()
        form = QFormLayout(self.storage)
        self.data_folder = QLineEdit(readOnly=True)
        self.change_folder = QPushButton()
        self.change_folder.clicked.connect(self._change_folder)
        row = QHBoxLayout()
        row.addWidget(self.data_folder, 1)
        row.addWidget(self.change_folder)
        self.folder_note = QLabel(objectName="Muted", wordWrap=True)
        self.data_folder_label = QLabel()
        form.addRow(self.data_folder_label, row)
        form.addRow("", self.folder_note)
        self.threads = QSpinBox(minimum=1, maximum=256)
        self.threads.valueChanged.connect(lambda v: self.ctx.update(cpu_threads=int(v)))
        self.threads_label = QLabel()
        self.threads_note = QLabel(objectName="Muted", wordWrap=True)
        form.addRow(self.threads_label, self.threads)
        form.addRow("", self.threads_note)
        self.eval_after = QCheckBox()
        self.eval_after.toggled.connect(lambda on: self.ctx.update(evaluate_after_training=bool(on)))
        form.addRow("", self.eval_after)
        self.eval_generation = QComboBox()
        for value in ("auto", "vllm", "transformers"):
            self.eval_generation.addItem("", value)
        self.eval_generation.currentIndexChanged.connect(
            lambda _i: self.ctx.update(eval_generation=self.eval_generation.currentData()))
        self.eval_generation_label = QLabel()
        form.addRow(self.eval_generation_label, self.eval_generation)
        layout.addWidget(self.storage)

        # Hugging Face token
        self.token_group = QGroupBox()
        form = QFormLayout(self.token_group)
        self.token = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.save_token = QPushButton()
        self.remove_token = QPushButton()
        self.save_token.clicked.connect(self._save_token)
        self.remove_token.clicked.connect(self._remove_token)
        row = QHBoxLayout()
        row.addWidget(self.token, 1)
        row.addWidget(self.save_token)
        row.addWidget(self.remove_token)
        self.token_label = QLabel()
        form.addRow(self.token_label, row)
        self.token_status = QLabel(wordWrap=True)
        form.addRow("", self.token_status)
        self.session_only = QCheckBox()
        self.session_only.toggled.connect(
            lambda on: self.ctx.update(secret_storage="session" if on else "keyring"))
        form.addRow("", self.session_only)
        layout.addWidget(self.token_group)

        # vLLM runtime
        self.runtime_group = QGroupBox()
        form = QFormLayout(self.runtime_group)
        self.vllm_python = QLineEdit()
        self.vllm_python.editingFinished.connect(
            lambda: self.ctx.update(vllm_python=self.vllm_python.text().strip()))
        self.browse_vllm = QPushButton()
        self.browse_vllm.clicked.connect(self._browse_vllm)
        self.check_vllm = QPushButton()
        self.check_vllm.clicked.connect(self._check_vllm)
        row = QHBoxLayout()
        row.addWidget(self.vllm_python, 1)
        row.addWidget(self.browse_vllm)
        row.addWidget(self.check_vllm)
        self.vllm_label = QLabel()
        form.addRow(self.vllm_label, row)
        self.vllm_status = QLabel(objectName="Muted", wordWrap=True)
        form.addRow("", self.vllm_status)
        layout.addWidget(self.runtime_group)

        # Chat engines: local engine choice, remote endpoints (app/views/remote_endpoints.py)
        from app.views.remote_endpoints import ChatEnginesGroup

        self.chat_engines = ChatEnginesGroup(ctx)
        layout.addWidget(self.chat_engines)

        # Getting started: the welcome flow again, the sample project (app/views/welcome.py)
        self.start_group = QGroupBox()
        row = QHBoxLayout(self.start_group)
        self.welcome_btn = QPushButton()
        self.welcome_btn.clicked.connect(self._show_welcome)
        self.sample_btn = QPushButton()
        self.sample_btn.clicked.connect(self._create_sample)
        row.addWidget(self.welcome_btn)
        row.addWidget(self.sample_btn)
        row.addStretch(1)
        layout.addWidget(self.start_group)
        layout.addStretch(1)

        self.load_values()
        self.retranslate_ui()

    # --- values -------------------------------------------------------------------------------
    def load_values(self) -> None:
        s = self.ctx.settings
        for combo, value in ((self.language, s.language), (self.theme, s.theme)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)
        self.threads.blockSignals(True)
        self.threads.setValue(s.cpu_threads)
        self.threads.blockSignals(False)
        self.data_folder.setText(str(paths.home()))
        self.change_folder.setEnabled(not paths.home_overridden_by_env())
        self.vllm_python.setText(s.vllm_python)
        self.session_only.blockSignals(True)
        self.session_only.setChecked(s.secret_storage == "session")
        self.session_only.blockSignals(False)
        self.eval_after.blockSignals(True)
        self.eval_after.setChecked(s.evaluate_after_training)
        self.eval_after.blockSignals(False)
        self.eval_generation.blockSignals(True)
        self.eval_generation.setCurrentIndex(max(0, self.eval_generation.findData(s.eval_generation)))
        self.eval_generation.blockSignals(False)

    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Settings"), self.tr("Changes apply at once and are kept for the next start."))
        self.appearance.setTitle(self.tr("Appearance"))
        self.language_label.setText(self.tr("Language"))
        self.theme_label.setText(self.tr("Theme"))
        self.theme.setItemText(0, self.tr("Light"))
        self.theme.setItemText(1, self.tr("Dark"))
        self.storage.setTitle(self.tr("Data and performance"))
        self.data_folder_label.setText(self.tr("Data folder"))
        self.change_folder.setText(self.tr("Change…"))
        if paths.home_overridden_by_env():
            self.folder_note.setText(self.tr(
                "Set by the environment variable AI_PLATFORM_HOME for this session; unset it to choose "
                "a folder here."))
        else:
            self.folder_note.setText(self.tr(
                "Models, runs, knowledge bases, chats and logs are kept here."))
        self.threads_label.setText(self.tr("CPU threads"))
        self.threads_note.setText(self.tr(
            "Threads for CPU training, conversion and embedding. On a machine with few cores, fewer "
            "threads keep the window responsive."))
        self.eval_after.setText(self.tr("Evaluate each run against its base model when it finishes "
                                        "(runs with a validation split)"))
        self.eval_generation_label.setText(self.tr("Evaluation answers"))
        for i, text in enumerate((self.tr("Automatic (vLLM's batching on a GPU)"), self.tr("vLLM"),
                                  self.tr("transformers"))):
            self.eval_generation.setItemText(i, text)
        self.eval_generation.setToolTip(self.tr(
            "What generates the base model's and the adapter's answers in an evaluation. Without a GPU, "
            "small models stay on transformers: vLLM's CPU build takes about a minute and a half to start."))
        self.token_group.setTitle(self.tr("Hugging Face"))
        self.token_label.setText(self.tr("Access token"))
        self.token.setPlaceholderText(self.tr("Paste a token to download gated models (optional)"))
        self.save_token.setText(self.tr("Save"))
        self.remove_token.setText(self.tr("Remove"))
        self.session_only.setText(self.tr("Keep secrets for this session only (forgotten when the app closes)"))
        self.runtime_group.setTitle(self.tr("vLLM runtime"))
        self.vllm_label.setText(self.tr("Python of an existing vLLM install"))
        self.vllm_python.setPlaceholderText(self.tr("Empty: use the runtime the installer made"))
        self.browse_vllm.setText(self.tr("Browse…"))
        self.check_vllm.setText(self.tr("Check"))
        self.vllm_status.setText(self.tr("Press Check to find the runtime and its version."))
        self.start_group.setTitle(self.tr("Getting started"))
        self.welcome_btn.setText(self.tr("Show the welcome screen again"))
        self.sample_btn.setText(self.tr("Create the sample project"))
        self._update_token_status()

    # --- handlers -----------------------------------------------------------------------------
    def _language_chosen(self) -> None:
        self.ctx.set_language(self.language.currentData())

    def _theme_chosen(self) -> None:
        self.ctx.set_theme(self.theme.currentData())

    def _change_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the data folder"), str(paths.home()))
        if not folder:
            return
        try:
            probe = paths.Path(folder) / ".ai-platform-write-test"
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
        except OSError:
            show_error(self, self.tr("Data folder"), self.tr(
                "The folder {folder} cannot be written to. Choose a folder you own.").format(folder=folder))
            return
        paths.set_home_pointer(paths.Path(folder))
        QMessageBox.information(self, self.tr("Data folder"), self.tr(
            "The new data folder is used from the next start. Existing data stays in {old}; move it "
            "there yourself if you want to keep it.").format(old=paths.home()))
        self.data_folder.setText(folder)

    def _update_token_status(self) -> None:
        available = secrets.keyring_available()
        self.session_only.setVisible(not available or self.ctx.settings.secret_storage == "session")
        stored = secrets.get_secret(secrets.HF_TOKEN)
        if stored:
            where = (self.tr("for this session only") if self.ctx.settings.secret_storage == "session"
                     else self.tr("in the system keyring"))
            self.token_status.setObjectName("Ok")
            self.token_status.setText(self.tr("A token is stored {where} ({masked}).").format(
                where=where, masked=secrets.mask(stored)))
        elif not available:
            self.token_status.setObjectName("Warning")
            self.token_status.setText(self.tr(
                "No system keyring was found, so a token cannot be stored safely on disk. Install or "
                "unlock a keyring (GNOME Keyring, KWallet), or tick the box below to keep it for this "
                "session only."))
        else:
            self.token_status.setObjectName("Muted")
            self.token_status.setText(self.tr("No token stored. Public models download without one."))
        self.token_status.style().unpolish(self.token_status)
        self.token_status.style().polish(self.token_status)
        self.remove_token.setEnabled(bool(stored))

    def _save_token(self) -> None:
        value = self.token.text().strip()
        if not value:
            return
        try:
            secrets.set_secret(secrets.HF_TOKEN, value, storage=self.ctx.settings.secret_storage)
        except UserError:
            show_error(self, self.tr("Hugging Face"), self.tr(
                "No system keyring is available, so the token was not saved. Tick \"Keep secrets for "
                "this session only\" to use it until the app closes."))
            self.session_only.setVisible(True)
            return
        self.token.clear()
        self._update_token_status()
        self.ctx.status_message.emit(self.tr("Token saved."), 3000)

    def _remove_token(self) -> None:
        secrets.delete_secret(secrets.HF_TOKEN)
        self._update_token_status()

    def _browse_vllm(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Python of the vLLM install"))
        if path:
            self.vllm_python.setText(path)
            self.ctx.update(vllm_python=path)

    def _show_welcome(self) -> None:
        from app.views.welcome import open_welcome

        self.welcome = open_welcome(self.ctx, self.window())

    def _create_sample(self) -> None:
        from app.views.welcome import create_sample_project

        create_sample_project(self.ctx, self)

    def _check_vllm(self) -> None:
        from app.core import vllm_runtime

        info = vllm_runtime.runtime_info(self.ctx.settings.vllm_python or None)
        if info.get("found"):
            self.vllm_status.setText(self.tr("Found {package} {version} at {python}.").format(
                package=info.get("package", "vllm"), version=info.get("version", "?"), python=info.get("python")))
        else:
            self.vllm_status.setText(self.tr("No vLLM runtime found: {reason}").format(reason=info.get("reason", "")))
