"""The shared search snapshot (tools/snapshot.py): published with a build on a Chroma server, copied by a replica
with no build of its own, refused with a clear error when it does not match that replica's server or is damaged."""

from __future__ import annotations

import pytest
from state_helpers import chroma_server

from core.errors import StoreError
from core.settings import Settings

pytestmark = pytest.mark.server


def test_a_replica_without_a_build_copies_the_shared_snapshot(tmp_path, fixture_raw, catalog):
    from tools.ingest import open_catalog
    from tools.snapshot import fetch, publish
    from tools.store import write_build

    with pytest.raises(StoreError, match="Chroma server"):
        publish(catalog.build, tmp_path / "shared")  # an embedded build has nothing to share
    with chroma_server(tmp_path / "chroma") as url, chroma_server(tmp_path / "other") as other_url:
        writer = Settings(home=tmp_path / "a", raw_data_dir=fixture_raw, chroma_url=url, snapshot_dir=tmp_path / "shared")
        n = 600
        build = write_build(writer.store_root, "snapshot-test", [catalog.tracks[i] for i in range(n)],
                            catalog.vectors[:n], catalog.build.manifest["embedder"], url)
        assert fetch(writer.model_copy(update={"home": tmp_path / "b"})) is None  # nothing published yet
        publish(build, writer.snapshot_dir)
        assert publish(build, writer.snapshot_dir).build_id == build.build_id  # idempotent

        replica = writer.model_copy(update={"home": tmp_path / "b"})
        opened = open_catalog(replica, auto_ingest=False)
        assert len(opened) == n and opened.ids[:5] == catalog.ids[:5]
        assert opened.build.manifest["chroma_url"] == url and opened.build.path.parent.parent == replica.store_root

        elsewhere = writer.model_copy(update={"home": tmp_path / "c", "chroma_url": other_url})
        with pytest.raises(StoreError, match="snapshot-test"):
            open_catalog(elsewhere, auto_ingest=False)  # that server does not hold the build
        (writer.snapshot_dir / "builds" / build.build_id / "vectors.npy").write_bytes(b"damaged")
        with pytest.raises(StoreError, match="corrupt"):
            open_catalog(writer.model_copy(update={"home": tmp_path / "d"}), auto_ingest=False)
