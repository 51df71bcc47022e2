"""The graph of a workflow: nodes as labelled boxes coloured by kind, edges as arrows with their
branch, nodes dragged to place them (their ``position`` is written back into the JSON), an edge drawn
by dragging from a node's round port onto another node, and the running node highlighted."""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsLineItem, QGraphicsPathItem,
                               QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView)

WIDTH, HEIGHT = 170, 54
KIND_COLOURS = {"llm": "#dbeafe", "tool": "#fde68a", "kb_search": "#d1fae5", "agent": "#e9d5ff",
                "set": "#e5e7eb", "condition": "#fed7aa", "router": "#fecaca", "loop": "#bae6fd",
                "approval": "#fbcfe8"}
BRANCHES = {"condition": ("true", "false"), "loop": ("body", "done"), "approval": ("approved", "rejected")}
HIGHLIGHT = {"running": "#2563eb", "waiting": "#db2777", "failed": "#dc2626"}


def auto_positions(data: dict) -> dict[str, tuple[float, float]]:
    """Columns by distance from the start, for nodes saved without a position."""
    nodes = [n["id"] for n in data.get("nodes", []) if isinstance(n, dict) and "id" in n]
    if not nodes:
        return {}
    out = {n: [] for n in nodes}
    for e in data.get("edges", []):
        if e.get("from") in out and e.get("to") in out:
            out[e["from"]].append(e["to"])
    depth = {data.get("start") or nodes[0]: 0}
    queue = list(depth)
    while queue:
        n = queue.pop(0)
        for m in out.get(n, []):
            if m not in depth:
                depth[m] = depth[n] + 1
                queue.append(m)
    rows: dict[int, int] = {}
    places = {}
    for n in nodes:
        d = depth.get(n, max(depth.values(), default=0) + 1)
        places[n] = (d * (WIDTH + 60.0), rows.get(d, 0) * (HEIGHT + 40.0))
        rows[d] = rows.get(d, 0) + 1
    return places


class PortItem(QGraphicsEllipseItem):
    """Drag from here onto another node to connect them."""

    def __init__(self, node: NodeItem):
        super().__init__(-6, -6, 12, 12, node)
        self.node = node
        self.setPos(WIDTH, HEIGHT / 2)
        self.setBrush(QBrush(QColor("#475569")))
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setCursor(Qt.CursorShape.CrossCursor)


class NodeItem(QGraphicsRectItem):
    def __init__(self, node: dict, graph: GraphScene):
        super().__init__(0, 0, WIDTH, HEIGHT)
        self.node_id = node["id"]
        self.graph = graph
        self.edges: list[EdgeItem] = []
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setBrush(QBrush(QColor(KIND_COLOURS.get(node.get("type"), "#ffffff"))))
        self.title = QGraphicsSimpleTextItem(self)
        bold = QFont()
        bold.setBold(True)
        self.title.setFont(bold)
        self.kind = QGraphicsSimpleTextItem(self)
        self.kind.setBrush(QBrush(QColor("#475569")))
        self.port = PortItem(self)
        self.set_node(node)
        self.set_state(None)

    def set_node(self, node: dict) -> None:
        label = str(node.get("label") or node["id"])
        self.title.setText(label if len(label) <= 22 else label[:21] + "…")
        self.title.setPos(8, 7)
        self.kind.setText(f"{node.get('type', '?')} · {node['id']}")
        self.kind.setPos(8, 29)
        self.setToolTip(label)

    def set_state(self, state: str | None) -> None:
        self.state = state
        colour = HIGHLIGHT.get(state or "", "#64748b")
        self.setPen(QPen(QColor(colour), 3.5 if state else 1.2))

    def itemChange(self, change, value):  # noqa: N802 - Qt override
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.adjust()
        return super().itemChange(change, value)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().mouseReleaseEvent(event)
        self.graph.node_moved(self)


class EdgeItem(QGraphicsPathItem):
    def __init__(self, source: NodeItem, target: NodeItem | None, edge: dict):
        super().__init__()
        self.source, self.target, self.edge = source, target, edge
        self.setPen(QPen(QColor("#475569"), 1.6))
        self.setZValue(-1)
        self.label = QGraphicsSimpleTextItem(str(edge.get("branch") or edge.get("when") or ""), self)
        self.label.setBrush(QBrush(QColor("#334155")))
        source.edges.append(self)
        if target is not None:
            target.edges.append(self)
        self.adjust()

    def endpoints(self) -> tuple[QPointF, QPointF]:
        a = self.source.sceneBoundingRect()
        if self.target is None:  # to "end": a short stub
            start = QPointF(a.right(), a.center().y())
            return start, start + QPointF(40, 0)
        b = self.target.sceneBoundingRect()
        if self.target is self.source:
            return QPointF(a.right(), a.center().y()), QPointF(a.center().x(), a.bottom())
        if b.left() >= a.right():
            return QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y())
        if b.right() <= a.left():
            return QPointF(a.left(), a.center().y()), QPointF(b.right(), b.center().y())
        if b.top() >= a.bottom():
            return QPointF(a.center().x(), a.bottom()), QPointF(b.center().x(), b.top())
        return QPointF(a.center().x(), a.top()), QPointF(b.center().x(), b.bottom())

    def adjust(self) -> None:
        p1, p2 = self.endpoints()
        path = QPainterPath(p1)
        a, b = self.source.sceneBoundingRect(), self.target.sceneBoundingRect() if self.target else None
        if b is not None and (b.right() <= a.left() or self.target is self.source):
            # A way back (a loop): a curve under both boxes, so it does not cross the boxes between.
            p1, p2 = QPointF(a.center().x(), a.bottom()), QPointF(b.center().x() + 12, b.bottom())
            low = max(a.bottom(), b.bottom()) + 34
            path = QPainterPath(p1)
            path.cubicTo(QPointF(p1.x(), low), QPointF(p2.x(), low), p2)
            angle = -math.pi / 2
            mid = QPointF((p1.x() + p2.x()) / 2, low - 12)
        else:
            path.lineTo(p2)
            angle = math.atan2(p2.y() - p1.y(), p2.x() - p1.x())
            mid = (p1 + p2) / 2
        for side in (math.pi * 0.85, -math.pi * 0.85):
            tip = p2 + QPointF(math.cos(angle + side) * 10, math.sin(angle + side) * 10)
            path.moveTo(p2)
            path.lineTo(tip)
        self.setPath(path)
        self.label.setPos(mid + QPointF(4, -16))


class GraphScene(QGraphicsScene):
    """The scene of one workflow's JSON (``data``), changed in place by moves and new edges."""

    node_selected = Signal(object)  # node id or None
    changed_by_user = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.data: dict = {"nodes": [], "edges": []}
        self.items_by_id: dict[str, NodeItem] = {}
        self.edge_items: list[EdgeItem] = []
        self._drag_from: NodeItem | None = None
        self._drag_line: QGraphicsLineItem | None = None
        self.selectionChanged.connect(self._on_selection)

    def show_workflow(self, data: dict) -> None:
        self.clear()
        self.data = data
        self.items_by_id, self.edge_items = {}, []
        auto = auto_positions(data)
        for node in data.get("nodes", []):
            item = NodeItem(node, self)
            pos = node.get("position") or {}
            x, y = (pos.get("x"), pos.get("y")) if isinstance(pos, dict) else (None, None)
            if not isinstance(x, (int, float)) or not isinstance(y, (int, float)):
                x, y = auto.get(node["id"], (0, 0))
            item.setPos(x, y)
            self.addItem(item)
            self.items_by_id[node["id"]] = item
        for edge in data.get("edges", []):
            self._add_edge_item(edge)
        self.setSceneRect(self.itemsBoundingRect().adjusted(-60, -60, 60, 60))

    def _add_edge_item(self, edge: dict) -> None:
        source = self.items_by_id.get(edge.get("from"))
        target = self.items_by_id.get(edge.get("to"))
        if source is None or (target is None and edge.get("to") != "end"):
            return
        item = EdgeItem(source, target, edge)
        self.addItem(item)
        self.edge_items.append(item)

    def node_data(self, node_id: str) -> dict | None:
        return next((n for n in self.data.get("nodes", []) if n.get("id") == node_id), None)

    def edges(self) -> list[tuple[str, str, str | None]]:
        """(from, to, branch) of each arrow drawn."""
        return [(e.source.node_id, e.target.node_id if e.target else "end", e.edge.get("branch"))
                for e in self.edge_items]

    def highlight(self, node_id: str | None, state: str = "running") -> None:
        for nid, item in self.items_by_id.items():
            item.set_state(state if nid == node_id else None)

    def highlighted(self) -> dict[str, str]:
        return {nid: item.state for nid, item in self.items_by_id.items() if item.state}

    # --- editing --------------------------------------------------------------------------------
    def node_moved(self, item: NodeItem) -> None:
        node = self.node_data(item.node_id)
        pos = {"x": round(item.pos().x()), "y": round(item.pos().y())}
        if node is not None and node.get("position") != pos:
            node["position"] = pos
            self.changed_by_user.emit()

    def add_node(self, node: dict, at: QPointF) -> None:
        node["position"] = {"x": round(at.x()), "y": round(at.y())}
        self.data.setdefault("nodes", []).append(node)
        item = NodeItem(node, self)
        item.setPos(at)
        self.addItem(item)
        self.items_by_id[node["id"]] = item
        self.changed_by_user.emit()

    def connect_nodes(self, source: str, target: str) -> dict | None:
        """A new edge source → target; a branching node gets its first branch not yet used."""
        node = self.node_data(source)
        if node is None or target not in self.items_by_id:
            return None
        edges = self.data.setdefault("edges", [])
        used = {e.get("branch") for e in edges if e.get("from") == source}
        edge = {"from": source, "to": target}
        branches = BRANCHES.get(node.get("type"))
        if branches:
            free = [b for b in branches if b not in used]
            if not free:
                return None
            edge["branch"] = free[0]
        elif node.get("type") != "router" and any(e.get("from") == source for e in edges):
            # one way out: the new arrow replaces the old one
            edges[:] = [e for e in edges if e.get("from") != source]
            self.show_workflow(self.data)
        edges.append(edge)
        self._add_edge_item(edge)
        self.changed_by_user.emit()
        return edge

    def refresh_node(self, node_id: str) -> None:
        item = self.items_by_id.get(node_id)
        node = self.node_data(node_id)
        if item is not None and node is not None:
            item.set_node(node)

    def _on_selection(self) -> None:
        chosen = [i for i in self.selectedItems() if isinstance(i, NodeItem)]
        self.node_selected.emit(chosen[0].node_id if chosen else None)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        item = self.itemAt(event.scenePos(), self.views()[0].transform()) if self.views() else None
        if isinstance(item, PortItem) and event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = item.node
            start = item.scenePos()
            self._drag_line = QGraphicsLineItem(QLineF(start, start))
            self._drag_line.setPen(QPen(QColor("#2563eb"), 2, Qt.PenStyle.DashLine))
            self.addItem(self._drag_line)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._drag_line is not None:
            line = self._drag_line.line()
            self._drag_line.setLine(QLineF(line.p1(), event.scenePos()))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._drag_line is not None:
            self.removeItem(self._drag_line)
            self._drag_line = None
            source, self._drag_from = self._drag_from, None
            target = next((i for i in self.items(event.scenePos()) if isinstance(i, NodeItem)), None)
            if source is not None and target is not None:
                self.connect_nodes(source.node_id, target.node_id)
            return
        super().mouseReleaseEvent(event)


class GraphView(QGraphicsView):
    def __init__(self, parent=None):
        self.graph = GraphScene()
        super().__init__(self.graph, parent)
        self.graph.setParent(self)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setMinimumSize(280, 200)

    def fit(self) -> None:
        rect = self.graph.itemsBoundingRect()
        if not rect.isNull():
            self.fitInView(rect.adjusted(-30, -30, 30, 30), Qt.AspectRatioMode.KeepAspectRatio)
            if self.transform().m11() > 1.3:  # a small graph stays readable, not blown up
                self.resetTransform()
                self.scale(1.3, 1.3)
                self.centerOn(rect.center())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit()


__all__ = ["GraphView", "GraphScene", "NodeItem", "EdgeItem", "auto_positions", "KIND_COLOURS"]
