"""Dashboard: everything at a glance. The default model (and preparing it), running and recent runs,
the serving engine, a GPU summary, knowledge bases, recent chats and projects; each card opens its
panel."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core import bundled
from app.views.panel import Panel
from app.views.widgets import Card

RECENT_RUNS = 5
REFRESH_MS = 2000


class _ListCard(Card):
    """A card with a few lines (or an empty-state text) and a button that opens a panel."""

    def __init__(self, ctx, panel_key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.panel_key = panel_key
        self.text = QLabel(wordWrap=True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.body.addWidget(self.text)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(2)
        self.body.addLayout(self.rows)
        self.body.addStretch(1)
        self.open_btn = QPushButton()
        self.open_btn.clicked.connect(lambda: ctx.navigate(self.panel_key))
        self.body.addWidget(self.open_btn, alignment=Qt.AlignmentFlag.AlignLeft)


class DashboardPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-dashboard")
        self.setup = None
        self.gpu_reading: dict | None = None
        outer = self.body
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 0, 8, 0)
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)
        grid = QGridLayout()
        grid.setSpacing(14)
        layout.addLayout(grid)

        self.model_card = Card()
        self.model_state = QLabel(wordWrap=True)
        self.model_detail = QLabel(wordWrap=True, objectName="Muted")
        self.progress = QProgressBar(visible=False)
        self.prepare_btn = QPushButton(objectName="Primary")
        self.prepare_btn.clicked.connect(self.prepare_model)
        for w in (self.model_state, self.model_detail, self.progress):
            self.model_card.body.addWidget(w)
        self.model_card.body.addWidget(self.prepare_btn, alignment=Qt.AlignmentFlag.AlignLeft)
        self.model_card.body.addStretch(1)

        self.gpu_card = _ListCard(ctx, "gpu")
        self.runs_card = _ListCard(ctx, "training")
        self.run_buttons: list[QPushButton] = []
        self.serve_card = _ListCard(ctx, "chat")
        self.serve_card.text.setObjectName("Muted")
        self.kb_card = _ListCard(ctx, "knowledge")
        self.chats_card = _ListCard(ctx, "chat")

        self.projects_card = Card()
        self.projects_text = QLabel(wordWrap=True)
        self.open_projects = QPushButton()
        self.open_projects.clicked.connect(lambda: self.ctx.navigate("projects"))
        self.projects_card.body.addWidget(self.projects_text)
        self.projects_card.body.addStretch(1)
        self.projects_card.body.addWidget(self.open_projects, alignment=Qt.AlignmentFlag.AlignLeft)

        cards = (self.model_card, self.gpu_card, self.runs_card, self.serve_card, self.kb_card,
                 self.chats_card, self.projects_card)
        for i, card in enumerate(cards):
            grid.addWidget(card, i // 2, i % 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout.addStretch(1)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        # Everything, not just the runs: the welcome flow, another panel or an engine may have made a
        # project, a knowledge base or the model since (each card is a few cheap queries).
        self._timer.timeout.connect(self.refresh)
        self._live = False  # hooked to the GPU monitor and the engines (after the first paint)
        ctx.model_setup_started.connect(self._follow_setup)
        ctx.data_changed.connect(self.refresh)
        if ctx.model_setup is not None:
            self._follow_setup(ctx.model_setup)
        self.retranslate_ui()
        ctx.when_painted(self._go_live)

    def _go_live(self) -> None:
        """The window is up: read the database and start following the GPU and the engines."""
        self._live = True
        self.ctx.gpu.sampled.connect(self._gpu_sampled)
        self.gpu_reading = self.ctx.gpu.last
        self.ctx.serve.changed.connect(self.refresh_serve)
        if self.isVisible():
            self.refresh()
            self._timer.start()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._live:
            self.refresh()
            self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._timer.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        if not self._live:
            return
        self.refresh_model()
        self.refresh_runs()
        self.refresh_gpu()
        self.refresh_data()
        self.refresh_serve()

    def refresh_serve(self) -> None:
        if not self._live:
            return
        states = {"loading": self.tr("loading"), "ready": self.tr("ready"), "failed": self.tr("failed"),
                  "stopped": self.tr("stopped")}
        lines = [f"{e.label} — {e.engine or '…'} · {states.get(e.state, e.state)}"
                 for e in self.ctx.serve.engines() if e.engine != "remote"]
        if lines:
            self.serve_card.text.setText("\n".join(lines))
            return
        when = getattr(self.ctx.settings, "chat_preload", "chat_opens")
        if when == "app_start":
            text = self.tr("No model is loaded yet; it starts with the app. Models shows every engine.")
        elif when == "send":
            text = self.tr("No model is loaded. Chat loads one when you send a message; Models shows every engine.")
        else:
            text = self.tr("No model is loaded. Chat loads one when you open it; Models shows every engine.")
        self.serve_card.text.setText(text)

    # --- cards ----------------------------------------------------------------------------------
    def refresh_model(self) -> None:
        status = bundled.default_model_status()
        running = self.setup is not None and self.setup.is_running()
        if status["ready"]:
            self.model_state.setObjectName("Ok")
            self.model_state.setText(self.tr("{name} is ready to chat and to fine-tune.").format(
                name=bundled.DEFAULT_CHAT_MODEL))
            self.model_detail.setText(self.tr("Stored in {path}").format(path=status["dir"]))
        elif status.get("gguf_path"):
            self.model_state.setObjectName("Warning")
            self.model_state.setText(self.tr(
                "The bundled model {name} is not prepared yet. Preparing converts it once, offline "
                "(about a minute).").format(name=bundled.DEFAULT_CHAT_MODEL))
            if not running:
                self.model_detail.setText("")
        else:
            self.model_state.setObjectName("Error")
            self.model_state.setText(self.tr(
                "The bundled model package is missing. Run the installer again to add it."))
            self.model_detail.setText("")
        self.model_state.style().unpolish(self.model_state)
        self.model_state.style().polish(self.model_state)
        self.prepare_btn.setVisible(not status["ready"] and bool(status.get("gguf_path")))
        self.prepare_btn.setEnabled(not running)
        self.progress.setVisible(running)
        from app.core.projects import ProjectStore

        projects = ProjectStore(self.ctx.db).list(include_archived=False)
        if projects:
            self.projects_text.setText(self.tr("{n} active project(s). Latest: {name}").format(
                n=len(projects), name=projects[0].name))
        else:
            self.projects_text.setText(self.tr("No projects yet. Start by creating one."))

    def run_line(self, r) -> str:
        from app.views.run_detail import status_text

        parts = [r.name, status_text(r.status)]
        if r.total_steps:
            parts.append(self.tr("step {step}/{total} ({pct}%)").format(
                step=r.last_step, total=r.total_steps, pct=int(100 * r.last_step / max(1, r.total_steps))))
        elif r.last_step:
            parts.append(self.tr("step {step}").format(step=r.last_step))
        if r.final_loss is not None:
            parts.append(self.tr("loss {loss}").format(loss=f"{r.final_loss:.4f}"))
        return " · ".join(parts)

    def refresh_runs(self) -> None:
        from app.core.runs import RunStore

        runs = RunStore(self.ctx.db).list()
        active = [r for r in runs if r.status in ("queued", "running")]
        shown = (active + [r for r in runs if r not in active])[:RECENT_RUNS]
        while len(self.run_buttons) < len(shown):
            btn = QPushButton(flat=True)
            btn.setStyleSheet("text-align: left; padding: 3px 4px;")
            btn.setCursor(Qt.CursorShape.PointingHandCursor)
            btn.clicked.connect(lambda _=False, b=btn: self.open_run(b.property("run_id")))
            self.runs_card.rows.addWidget(btn)
            self.run_buttons.append(btn)
        for i, btn in enumerate(self.run_buttons):
            if i < len(shown):
                btn.setProperty("run_id", shown[i].id)
                btn.setText(self.run_line(shown[i]))
            btn.setVisible(i < len(shown))
        if not runs:
            self.runs_card.text.setText(self.tr("No training runs yet."))
        elif active:
            self.runs_card.text.setText(self.tr("{n} run(s) training now. Click a run to open it.").format(
                n=len(active)))
        else:
            self.runs_card.text.setText(self.tr("Nothing is training now. Recent runs:"))

    def open_run(self, run_id: str) -> None:
        self.ctx.navigate("training", run=run_id)

    def _gpu_sampled(self, reading: dict) -> None:
        self.gpu_reading = reading
        if self.isVisible():
            self.refresh_gpu()

    def refresh_gpu(self) -> None:
        from app.views.gpu_texts import reason_text

        r = self.gpu_reading
        if r is None:
            self.gpu_card.text.setText(self.tr("Reading the GPUs…"))
            return
        cpu, ram = r.get("cpu") or {}, r.get("ram") or {}
        host = self.tr("CPU {cpu}% · RAM {used} / {total} GiB").format(
            cpu=f"{cpu.get('percent', 0):.0f}", used=f"{ram.get('used_gb', 0):.1f}",
            total=f"{ram.get('total_gb', 0):.1f}")
        if not r.get("available"):
            self.gpu_card.text.setText(reason_text(r.get("reason_code")) + "\n" + host)
            return
        lines = []
        for g in r.get("gpus") or []:
            if "error" in g:
                continue
            lines.append(self.tr("GPU {index} {name}: {util}% busy, {used} / {total} GiB, {temp} °C").format(
                index=g["index"], name=g.get("name") or "", util=_n(g.get("utilization")),
                used=_n(g.get("memory_used_gb"), "{:.1f}"), total=_n(g.get("memory_total_gb"), "{:.1f}"),
                temp=_n(g.get("temperature_c"))))
        self.gpu_card.text.setText("\n".join(lines + [host]))

    def refresh_data(self) -> None:
        from app.core import overview

        kbs = overview.knowledge_bases(self.ctx.db)
        if kbs:
            self.kb_card.text.setText("\n".join(
                self.tr("{name}: {n} document(s), {indexed} indexed").format(
                    name=kb.name, n=kb.documents, indexed=kb.indexed) for kb in kbs[:6]))
        else:
            self.kb_card.text.setText(self.tr("No knowledge bases yet."))
        chats = overview.recent_chats(self.ctx.db)
        if chats:
            self.chats_card.text.setText("\n".join(
                self.tr("{title} ({n} messages)").format(title=c.title or self.tr("Untitled chat"), n=c.messages)
                for c in chats))
        else:
            self.chats_card.text.setText(self.tr("No chats yet."))

    # --- texts ----------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Dashboard"), self.tr("Welcome. Everything here runs on this computer, offline."))
        self.model_card.title.setText(self.tr("Default model"))
        self.prepare_btn.setText(self.tr("Prepare the model"))
        self.projects_card.title.setText(self.tr("Projects"))
        self.open_projects.setText(self.tr("Open Projects"))
        self.gpu_card.title.setText(self.tr("GPU"))
        self.gpu_card.open_btn.setText(self.tr("Open GPU"))
        self.runs_card.title.setText(self.tr("Training runs"))
        self.runs_card.open_btn.setText(self.tr("Open Training"))
        self.serve_card.title.setText(self.tr("Serving"))
        self.refresh_serve()
        self.serve_card.open_btn.setText(self.tr("Open Chat"))
        self.kb_card.title.setText(self.tr("Knowledge bases"))
        self.kb_card.open_btn.setText(self.tr("Open Knowledge"))
        self.chats_card.title.setText(self.tr("Recent chats"))
        self.chats_card.open_btn.setText(self.tr("Open Chat"))
        self.refresh()

    # --- preparing the bundled model ----------------------------------------------------------
    def prepare_model(self) -> None:
        self.ctx.prepare_model()  # _follow_setup hears of it, as of one the welcome flow started

    def _follow_setup(self, job) -> None:
        self.setup = job
        job.progress.connect(self._on_progress)
        job.finished.connect(self._on_finished)
        self.progress.setRange(0, 0)
        self.refresh_model()

    def _on_progress(self, step: int, total: int, message: str) -> None:
        self.progress.setVisible(True)
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(step)
        from app.views.progress_texts import event_progress_text

        job = self.setup
        self.model_detail.setText(event_progress_text(job.last_progress) if job and job.last_progress else message)

    def _on_finished(self, ok: bool, message: str) -> None:
        self.refresh_model()
        if ok:
            self.ctx.status_message.emit(self.tr("The default model is ready."), 5000)
        else:
            self.model_detail.setText(self.tr("Preparing failed: {reason}").format(reason=message))


def _n(value, fmt: str = "{:.0f}") -> str:
    return "–" if value is None else fmt.format(value)
