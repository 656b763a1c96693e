"""Importing a store's own catalog: all rows or none, and errors that name the row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.store.importer import CatalogImportError, import_catalog
from bot.store.models import Product

HEADER = "sku,title,category,brand,price,description,image_url,attributes,colour,size,stock\n"


def _write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "catalog.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def _count(store: sessionmaker) -> int:
    with store() as session:
        return session.execute(select(func.count(Product.id))).scalar()


def test_import_adds_new_products_and_updates_existing(store: sessionmaker, tmp_path: Path):
    before = _count(store)
    with store() as session:
        existing = session.execute(select(Product).limit(1)).scalar()
        sku = existing.sku
    path = _write(
        tmp_path,
        (
            "NEW-1,Trail Sock,running,Stridewell,9.99,Merino sock,,wool;cushioned,black,M,5\n"
            "NEW-1,Trail Sock,running,Stridewell,9.99,Merino sock,,wool;cushioned,black,L,0\n"
            f"{sku},Renamed Product,running,Nike,19.00,,,,red,S,3\n"
        ),
    )
    with store.begin() as session:
        assert import_catalog(session, path=path) == 2
    with store() as session:
        new = session.execute(select(Product).where(Product.sku == "NEW-1")).scalar()
        updated = session.execute(select(Product).where(Product.sku == sku)).scalar()
        assert new.attributes == ["wool", "cushioned"]
        assert {(v.size, v.stock) for v in new.variants} == {("M", 5), ("L", 0)}
        assert updated.title == "Renamed Product"
        assert str(updated.price) == "19.00"
    assert _count(store) == before + 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("A-1,Sock,running,X,abc,,,,black,M,1\n", "row 2: price 'abc' is not a number"),
        (
            "A-1,Sock,running,X,1.00,,,,black,M,1\nA-2,,running,X,1.00,,,,black,M,1\n",
            "row 3: missing title",
        ),
        ("A-1,Sock,running,X,1.00,,,,black,M,-2\n", "row 2: stock '-2'"),
        (
            "A-1,Sock,running,X,1.00,,,,black,M,1\nA-1,Sock,running,X,1.00,,,,black,M,2\n",
            "row 3: sku A-1 lists black/M twice",
        ),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_imported(
    store: sessionmaker, tmp_path: Path, rows: str, message: str
):
    before = _count(store)
    path = _write(tmp_path, rows)
    with pytest.raises(CatalogImportError, match=message), store.begin() as session:
        import_catalog(session, path=path)
    assert _count(store) == before


def test_a_file_without_required_columns_is_refused(store: sessionmaker, tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text("name,cost\nSock,3\n")
    with (
        pytest.raises(CatalogImportError, match="header: missing column"),
        store.begin() as session,
    ):
        import_catalog(session, path=path)
