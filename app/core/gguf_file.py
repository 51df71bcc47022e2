"""Is a GGUF file whole? Its header read with the standard library only (no numpy, no gguf package):
the GUI and the CLI check a file in milliseconds, before a conversion loads a single tensor.

A GGUF file is: magic ``GGUF``, version (u32), tensor count and metadata count (u64 from version 2),
the metadata (typed key/values), one info per tensor (name, dims, ggml type, offset into the data),
then the tensor data, starting at the next multiple of ``general.alignment`` (32 by default). The
size a complete file has is that start plus the end of the furthest tensor; a download cut short is
smaller, and a damaged header holds counts or lengths no file of this size could hold.

    gguf_problem(path) -> UserError | None
"""

from __future__ import annotations

import struct
from pathlib import Path

from app.core.errors import UserError

MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32
_MAX_DIMS = 8
_MAX_COUNT = 1 << 32  # no real file has more tensors / metadata entries / array items than this

# ggml tensor type → (elements per block, bytes per block); the gguf package's GGML_QUANT_SIZES.
GGML_BLOCKS: dict[int, tuple[int, int]] = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34), 9: (32, 40),
    10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 15: (256, 292),
    16: (256, 66), 17: (256, 74), 18: (256, 98), 19: (256, 50), 20: (32, 18), 21: (256, 110), 22: (256, 82),
    23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8), 29: (256, 56), 30: (1, 2),
    34: (256, 54), 35: (256, 66), 39: (32, 17), 40: (64, 36), 41: (128, 18),
}
# metadata value type → struct format of one scalar (8: string, 9: array)
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9


class _Truncated(Exception):
    pass


class _Damaged(Exception):
    pass


class _Reader:
    def __init__(self, fh, size: int):
        self._fh, self.size, self.pos = fh, size, 0

    def read(self, n: int) -> bytes:
        if n < 0 or self.pos + n > self.size:
            raise _Truncated
        data = self._fh.read(n)
        if len(data) != n:
            raise _Truncated
        self.pos += n
        return data

    def skip(self, n: int) -> None:
        if self.pos + n > self.size:
            raise _Truncated
        self._fh.seek(n, 1)
        self.pos += n

    def unpack(self, fmt: str):
        return struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0]

    def count(self, what: str) -> int:
        n = self.unpack("<Q")
        if n > _MAX_COUNT:
            raise _Damaged(f"its header claims {n:,} {what}")
        return n

    def string(self) -> bytes:
        n = self.unpack("<Q")
        if n > self.size:
            if n > 1 << 40:
                raise _Damaged(f"its header holds a text {n:,} bytes long")
            raise _Truncated
        return self.read(n)

    def value(self, vtype: int):
        if vtype in _SCALARS:
            return self.unpack(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            item = self.unpack("<I")
            n = self.count("list items")
            if item in _SCALARS:
                self.skip(n * struct.calcsize(_SCALARS[item]))
            else:
                for _ in range(n):
                    self.value(item)
            return None
        raise _Damaged(f"its header holds an unknown value type {vtype}")


def expected_size(path: str | Path) -> int | None:
    """The size in bytes a complete copy of this GGUF file has; None when it cannot tell (an old
    version 1 file, a tensor type this table does not know). Raises _Truncated / _Damaged."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        r = _Reader(fh, size)
        if r.read(4) != MAGIC:
            raise _Damaged("it does not start with the GGUF signature")
        version = r.unpack("<I")
        if version < 2:
            return None
        if version > 3:
            raise _Damaged(f"its header says GGUF version {version}, which is not known")
        n_tensors = r.count("tensors")
        n_kv = r.count("metadata entries")
        alignment = DEFAULT_ALIGNMENT
        for _ in range(n_kv):
            key = r.string()
            vtype = r.unpack("<I")
            value = r.value(vtype)
            if key == b"general.alignment" and isinstance(value, int) and value > 0:
                alignment = value
        end = 0
        known = True
        for _ in range(n_tensors):
            r.string()
            n_dims = r.unpack("<I")
            if n_dims > _MAX_DIMS:
                raise _Damaged(f"its header gives a tensor {n_dims} dimensions")
            elements = 1
            for _ in range(n_dims):
                elements *= r.unpack("<Q")
            ttype = r.unpack("<I")
            offset = r.unpack("<Q")
            block = GGML_BLOCKS.get(ttype)
            if block is None:
                known = False
                continue
            end = max(end, offset + elements // block[0] * block[1])
        start = -(-r.pos // alignment) * alignment
    return start + end if known else None


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def gguf_problem(path: str | Path) -> UserError | None:
    """A UserError saying the GGUF file is cut short or damaged (with the sizes, and to download it
    again), or None when its header and size agree (or the file is too old to tell)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        expected = expected_size(path)
    except OSError as exc:
        return UserError(f"Cannot read {path}: {exc.strerror or exc}", code="model.gguf_unreadable",
                         params={"path": str(path), "reason": str(exc.strerror or exc)})
    except _Truncated:
        return UserError(
            f"{path} is truncated: the file ends inside its header (after {size:,} bytes), so most of it is "
            "missing. Download it again (an interrupted download or copy leaves such a file).",
            code="model.gguf_truncated_header", params={"path": str(path), "size": f"{size:,}"})
    except _Damaged as exc:
        return UserError(f"{path} is damaged: {exc}. Download it again.", code="model.gguf_damaged",
                         params={"path": str(path), "reason": str(exc)})
    if expected is not None and size < expected:
        return UserError(
            f"{path} is truncated or damaged: a complete file has {expected:,} bytes ({_mb(expected)}), this one "
            f"has {size:,} ({_mb(size)}). Download it again (an interrupted download or copy leaves such a file).",
            code="model.gguf_truncated",
            params={"path": str(path), "expected": f"{expected:,}", "size": f"{size:,}",
                    "expected_mb": _mb(expected), "size_mb": _mb(size)})
    return None


# ggml tensor type → its name (gguf's GGMLQuantizationType)
GGML_TYPE_NAMES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1", 10: "Q2_K",
                   11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 16: "IQ2_XXS", 17: "IQ2_XS",
                   18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS", 24: "I8",
                   25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M", 30: "BF16"}
# general.file_type → the name llama.cpp gives the file's quantization (gguf's LlamaFileType)
FILE_TYPE_NAMES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
                   11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
                   17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
                   23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M",
                   30: "IQ4_XS", 31: "IQ1_M", 32: "BF16"}


def quant_type(path: str | Path) -> str | None:
    """The quantization of a GGUF file as llama.cpp names it ("Q8_0", "Q4_K_M", "F16"): its
    ``general.file_type``, else the type that holds most of its weights; None for a file whose header
    cannot be read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            r = _Reader(fh, size)
            if r.read(4) != MAGIC or r.unpack("<I") < 2:
                return None
            n_tensors = r.count("tensors")
            n_kv = r.count("metadata entries")
            file_type = None
            for _ in range(n_kv):
                key = r.string()
                value = r.value(r.unpack("<I"))
                if key == b"general.file_type" and isinstance(value, int):
                    file_type = value
            if file_type in FILE_TYPE_NAMES:
                return FILE_TYPE_NAMES[file_type]
            by_type: dict[int, int] = {}
            for _ in range(n_tensors):
                r.string()
                n_dims = r.unpack("<I")
                if n_dims > _MAX_DIMS:
                    return None
                elements = 1
                for _ in range(n_dims):
                    elements *= r.unpack("<Q")
                ttype = r.unpack("<I")
                r.unpack("<Q")
                by_type[ttype] = by_type.get(ttype, 0) + elements
    except (OSError, _Truncated, _Damaged, struct.error):
        return None
    if not by_type:
        return None
    top = max(by_type, key=by_type.get)
    return GGML_TYPE_NAMES.get(top, f"type {top}")


__all__ = ["GGML_BLOCKS", "GGML_TYPE_NAMES", "MAGIC", "expected_size", "gguf_problem", "quant_type"]
