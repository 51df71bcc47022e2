"""Push to Hugging Face hub…: a model, a run's adapter or a GGUF file, with the model card the app
writes (previewed here, kept beside the model). The upload is ``ai-platform models push … --json``
in its own process (app/workers/hub_push.py); offline it says so and the card stays on disk. The
token comes from the keyring (app/core/secrets.py); it can be set here.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import model_card, secrets
from app.core.errors import UserError
from app.views.error_texts import user_error_text


def push_kind(target_path: str, row_kind: str) -> str:
    """What ``models push`` calls it: adapter, gguf or model."""
    if target_path.lower().endswith(".gguf"):
        return "gguf"
    return "adapter" if row_kind == "adapter" else "model"


class PushDialog(QDialog):
    def __init__(self, ctx, target: str, path: str, kind: str, name: str, parent: QWidget | None = None):
        """``target`` is what the command is given (a run id, a folder or a .gguf file); ``path`` the
        folder or file the card is written beside."""
        super().__init__(parent)
        self.setObjectName("push-dialog")
        self.ctx, self.target, self.path, self.kind, self.name = ctx, target, path, kind, name
        self.job = None
        self.answer: dict | None = None  # the last push's JSON answer
        self.session_token: str | None = None
        self.resize(720, 620)
        layout = QVBoxLayout(self)
        self.intro = QLabel(wordWrap=True)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.repo_edit = QLineEdit()
        self.repo_label = QLabel()
        form.addRow(self.repo_label, self.repo_edit)
        self.private_box = QCheckBox()
        form.addRow("", self.private_box)
        token_row = QHBoxLayout()
        self.token_edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.save_token_btn = QPushButton()
        self.save_token_btn.clicked.connect(self.save_token)
        token_row.addWidget(self.token_edit, 1)
        token_row.addWidget(self.save_token_btn)
        self.token_label = QLabel()
        form.addRow(self.token_label, token_row)
        self.token_status = QLabel(wordWrap=True, objectName="Muted")
        form.addRow("", self.token_status)
        layout.addLayout(form)
        self.card_label = QLabel(objectName="Muted")
        layout.addWidget(self.card_label)
        self.card_view = QPlainTextEdit(readOnly=True)
        layout.addWidget(self.card_view, 1)
        self.status = QLabel(wordWrap=True)
        self.status.setOpenExternalLinks(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.push_btn = QPushButton(objectName="Primary")
        self.close_btn = QPushButton()
        self.push_btn.clicked.connect(self.push)
        self.close_btn.clicked.connect(self.close)
        buttons.addWidget(self.push_btn)
        buttons.addWidget(self.close_btn)
        layout.addLayout(buttons)
        self.repo_edit.textChanged.connect(self.update_card)
        self.retranslate_ui()
        self.update_card()

    # --- texts --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Push to Hugging Face hub"))
        what = {"adapter": self.tr("the adapter"), "gguf": self.tr("the GGUF file")}.get(self.kind, self.tr("the model"))
        self.intro.setText(self.tr(
            "Uploads {what} {name} to a repository on the Hugging Face hub, with the model card below. The "
            "card is also written beside it, so it stays even when the upload cannot happen.").format(
            what=what, name=self.name))
        self.repo_label.setText(self.tr("Repository"))
        self.repo_edit.setPlaceholderText(self.tr("USER/NAME, for example alice/my-model"))
        self.private_box.setText(self.tr("Private repository"))
        self.token_label.setText(self.tr("Access token"))
        self.token_edit.setPlaceholderText(self.tr("Paste a token with write access"))
        self.save_token_btn.setText(self.tr("Save token"))
        self.card_label.setText(self.tr("Model card (README.md)"))
        self.push_btn.setText(self.tr("Push"))
        self.close_btn.setText(self.tr("Close"))
        self.update_token_status()
        self.show_answer()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def update_token_status(self) -> None:
        stored = self.session_token or secrets.get_secret(secrets.HF_TOKEN)
        if stored:
            where = self.tr("for this session only") if self.session_token else self.tr("in the system keyring")
            self.token_status.setText(self.tr("A token is stored {where} ({masked}).").format(
                where=where, masked=secrets.mask(stored)))
        else:
            self.token_status.setText(self.tr("No token stored: paste one and press Save token."))

    def repo(self) -> str:
        return self.repo_edit.text().strip()

    def update_card(self) -> None:
        repo = self.repo() or f"USER/{self.name}"
        try:
            self.card_view.setPlainText(model_card.card_text(self.path, repo, self.kind))
        except (OSError, ValueError) as err:
            self.card_view.setPlainText(user_error_text(err))

    # --- token --------------------------------------------------------------------------------
    def save_token(self) -> bool:
        value = self.token_edit.text().strip()
        if not value:
            return False
        storage = getattr(self.ctx.settings, "secret_storage", "keyring")
        try:
            secrets.set_secret(secrets.HF_TOKEN, value, storage=storage)
        except UserError:  # no keyring: kept for this session and handed to the push process
            secrets.set_secret(secrets.HF_TOKEN, value, storage="session")
        if storage == "session" or not secrets.keyring_available():
            self.session_token = value
        self.token_edit.clear()
        self.update_token_status()
        return True

    # --- pushing ------------------------------------------------------------------------------
    def running(self) -> bool:
        return self.job is not None and self.job.is_running()

    def push(self) -> bool:
        from app.core.models_registry import validate_repo_id
        from app.workers.hub_push import HubPush

        if self.running():
            return False
        try:
            repo = validate_repo_id(self.repo())
        except UserError as err:
            self.answer = {"error": str(err), "code": err.code, "params": err.params}
            self.show_answer()
            return False
        if self.token_edit.text().strip():
            self.save_token()
        self.answer = None
        self.job = HubPush(self.target, repo, self.private_box.isChecked(), token=self.session_token, parent=self)
        self.job.finished.connect(self._finished)
        self.push_btn.setEnabled(False)
        self.status.setObjectName("Muted")
        self.status.setText(self.tr("Pushing to {repo}…").format(repo=repo))
        self.job.start()
        return True

    def _finished(self, ok: bool, data: dict) -> None:
        self.answer = {**data, "ok": ok}
        self.push_btn.setEnabled(True)
        self.show_answer()
        self.update_card()  # the card written beside the model is what was (or will be) uploaded

    def answer_text(self) -> str:
        a = self.answer or {}
        if a.get("ok"):
            return self.tr('Pushed to <a href="{url}">{url}</a>.').format(url=a.get("url", ""))
        if a.get("code"):
            return user_error_text(UserError(a.get("error", ""), code=a["code"], params=a.get("params") or {}))
        return self.tr("The push failed: {reason}").format(reason=a.get("error", ""))

    def show_answer(self) -> None:
        if self.answer is None:
            if not self.running():
                self.status.setText("")
            return
        self.status.setObjectName("Ok" if self.answer.get("ok") else "Warning")
        self.status.setText(self.answer_text())
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def closeEvent(self, event) -> None:
        if self.running():
            self.job.stop()
        super().closeEvent(event)


def open_push_dialog(parent: QWidget, ctx, target: str, path: str, kind: str, name: str) -> PushDialog:
    dialog = PushDialog(ctx, target, path, kind, name, parent)
    dialog.show()
    return dialog
