"""Strings of Qt's own dialogs that Qt's zh_CN catalog leaves in English (the file dialog's "Look in:"
with its shortcut, its "Files of type:", the "Folder" type of a listed folder). Listed here so
lupdate keeps them in our catalog, which Qt consults when its own has no translation."""

from PySide6.QtCore import QT_TRANSLATE_NOOP

QT_GAPS = (
    QT_TRANSLATE_NOOP("QFileDialog", "&Look in:"),
    QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:"),
    QT_TRANSLATE_NOOP("QAbstractFileIconProvider", "Folder"),
    QT_TRANSLATE_NOOP("QFileSystemModel", "Folder"),
)
