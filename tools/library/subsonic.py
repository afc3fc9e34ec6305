"""A Subsonic/OpenSubsonic client (httpx): token auth (salt + md5), the OpenSubsonic `apiKey` extension, and the
legacy hex-encoded password for servers without token auth; paged `search3` listing; playlists.

Every failure is a domain error with a one-line reason: wrong credentials and refused requests are invalid
input, an unreachable server (or one answering HTTP 5xx) is a store that may come back (503 + Retry-After on
the API), a broken server a store error, Subsonic code 70 is not-found."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from core.errors import InvalidInput, NotFound, SegueError, StoreError
from tools.library.models import OwnedTrack, SubsonicAuth
from tools.store_health import StoreUnavailable

API_VERSION = "1.16.1"
CLIENT = "segue"
ERRORS: dict[int, tuple[type[SegueError], str]] = {
    0: (StoreError, "the server failed"),
    10: (InvalidInput, "a required parameter is missing"),
    20: (StoreError, "the server wants a newer client"),
    30: (StoreError, "the server is too old for this client"),
    40: (InvalidInput, "wrong user name or password"),
    41: (InvalidInput, "token authentication is not supported for this user (LDAP)"),
    42: (InvalidInput, "the server does not support this authentication mechanism"),
    43: (InvalidInput, "conflicting authentication parameters"),
    44: (InvalidInput, "invalid API key"),
    50: (InvalidInput, "the user is not authorized for this operation"),
    60: (StoreError, "the server's trial period is over"),
    70: (NotFound, "the requested data was not found"),
}
FALLBACK_CODES = {10, 41, 42}  # token auth refused: try the hex-encoded password once


class SubsonicError(SegueError):
    """A Subsonic error answer; raised as the mapped domain error (see `subsonic_error`)."""


def subsonic_error(url: str, code: int, message: str) -> SegueError:
    cls, meaning = ERRORS.get(code, (StoreError, "the server refused the request"))
    detail = f" ({message})" if message and message.rstrip(".").lower() != meaning.lower() else ""
    return cls(f"subsonic server {url}: error {code}: {meaning}{detail}")


class SubsonicClient:
    """One server, one user. `auth=None` picks: apiKey when a key is set, else token, else password."""

    def __init__(self, url: str, user: str | None, password: str | None = None, api_key: str | None = None,
                 auth: SubsonicAuth | None = None, timeout_s: float = 15.0, transport: Any = None) -> None:
        self.url = url.rstrip("/")
        self.user = user
        self.password = password
        self.api_key = api_key
        self.auth: SubsonicAuth | None = auth or ("apikey" if api_key else None)
        if self.auth == "apikey" and not api_key:
            raise InvalidInput("this library uses an API key: set SEGUE_SUBSONIC_API_KEY")
        if self.auth != "apikey" and not password:
            raise InvalidInput("set SEGUE_SUBSONIC_PASSWORD (or SEGUE_SUBSONIC_API_KEY) to reach a Subsonic server")
        self.http = httpx.Client(base_url=self.url + "/rest/", timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SubsonicClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- protocol

    def _auth_params(self, mode: SubsonicAuth) -> dict[str, str]:
        if mode == "apikey":
            return {"apiKey": self.api_key or ""}
        if mode == "token":
            salt = secrets.token_hex(8)
            token = hashlib.md5(f"{self.password}{salt}".encode()).hexdigest()  # noqa: S324 (the protocol's choice)
            return {"u": self.user or "", "t": token, "s": salt}
        return {"u": self.user or "", "p": "enc:" + (self.password or "").encode().hex()}

    def call(self, endpoint: str, **params: Any) -> dict[str, Any]:
        """One API call; the `subsonic-response` body of an ok answer. The first call settles the auth mode."""
        if self.auth is None:
            try:
                body = self._call(endpoint, "token", params)
                self.auth = "token"
                return body
            except SubsonicError as exc:
                if exc.args[1] not in FALLBACK_CODES:
                    raise subsonic_error(self.url, exc.args[1], exc.args[2]) from None
            self.auth = "password"
        try:
            return self._call(endpoint, self.auth, params)
        except SubsonicError as exc:
            if self.auth == "apikey" and exc.args[1] in (10, 42):
                raise InvalidInput(f"subsonic server {self.url} does not accept API keys (OpenSubsonic apiKey "
                                   "extension); set SEGUE_SUBSONIC_PASSWORD instead") from None
            raise subsonic_error(self.url, exc.args[1], exc.args[2]) from None

    def _call(self, endpoint: str, mode: SubsonicAuth, params: dict[str, Any]) -> dict[str, Any]:
        query = {"v": API_VERSION, "c": CLIENT, "f": "json", **self._auth_params(mode),
                 **{k: v for k, v in params.items() if v is not None}}
        try:
            response = self.http.get(endpoint, params=query)
        except httpx.TimeoutException as exc:
            raise StoreUnavailable(f"subsonic server {self.url} did not answer in time ({exc.__class__.__name__})") from exc
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"cannot reach subsonic server {self.url}: {exc.__class__.__name__}: {exc}") from exc
        try:
            body = response.json()["subsonic-response"]
        except (ValueError, KeyError, TypeError):
            down = StoreUnavailable if response.status_code >= 500 else StoreError
            raise down(f"{self.url} does not answer as a Subsonic server (HTTP {response.status_code} "
                       f"on {endpoint})") from None
        if body.get("status") != "ok":
            error = body.get("error") or {}
            raise SubsonicError(endpoint, int(error.get("code", 0)), str(error.get("message", "")))
        return body

    def ping(self) -> SubsonicAuth:
        self.call("ping")
        assert self.auth is not None
        return self.auth

    # ---------------------------------------------------------------- library

    def songs(self, page_size: int = 500) -> Iterator[OwnedTrack]:
        """Every song: paged `search3` with an empty query (what Navidrome and others answer with everything);
        servers that return nothing that way are listed album by album (`getAlbumList2` + `getAlbum`)."""
        offset, seen = 0, 0
        while True:
            body = self.call("search3", query="", songCount=page_size, songOffset=offset, artistCount=0, albumCount=0)
            page = (body.get("searchResult3") or {}).get("song") or []
            for song in page:
                seen += 1
                yield owned_song(song)
            if len(page) < page_size:
                break
            offset += page_size
        if seen == 0:
            yield from self._songs_by_album(page_size)

    def _songs_by_album(self, page_size: int) -> Iterator[OwnedTrack]:
        offset = 0
        while True:
            body = self.call("getAlbumList2", type="alphabeticalByName", size=min(page_size, 500), offset=offset)
            albums = (body.get("albumList2") or {}).get("album") or []
            for album in albums:
                for song in (self.call("getAlbum", id=album["id"]).get("album") or {}).get("song") or []:
                    yield owned_song(song)
            if len(albums) < min(page_size, 500):
                return
            offset += len(albums)

    # ---------------------------------------------------------------- playlists

    def playlist_ids(self) -> set[str]:
        body = self.call("getPlaylists")
        return {str(p["id"]) for p in (body.get("playlists") or {}).get("playlist") or []}

    def playlist(self, playlist_id: str) -> dict[str, Any]:
        return self.call("getPlaylist", id=playlist_id).get("playlist") or {}

    def create_playlist(self, name: str, song_ids: list[str]) -> str:
        """A new playlist; its id from the answer (Subsonic 1.14+) or, for servers that answer empty, the one
        playlist that was not there before."""
        before = self.playlist_ids()
        body = self.call("createPlaylist", name=name, songId=song_ids)
        made = (body.get("playlist") or {}).get("id")
        if made is not None:
            return str(made)
        new = self.playlist_ids() - before
        if len(new) != 1:
            raise StoreError(f"subsonic server {self.url} created the playlist but did not say which it is")
        return new.pop()

    def replace_playlist(self, playlist_id: str, name: str, song_ids: list[str]) -> None:
        """The playlist's songs replaced, in order (createPlaylist with playlistId)."""
        self.call("createPlaylist", playlistId=playlist_id, name=name, songId=song_ids)

    def describe_playlist(self, playlist_id: str, comment: str) -> None:
        self.call("updatePlaylist", playlistId=playlist_id, comment=comment)

    # ---------------------------------------------------------------- audio

    def download(self, song_id: str, dest: Path, max_bytes: int) -> Path:
        """The song's file into `dest` (`download`, else `stream` for users without the download role), at most
        `max_bytes` of it. A refusal for this song is a domain error (InvalidInput, NotFound)."""
        try:
            return self._fetch("download", song_id, dest, max_bytes)
        except InvalidInput:
            return self._fetch("stream", song_id, dest, max_bytes)

    def _fetch(self, endpoint: str, song_id: str, dest: Path, max_bytes: int) -> Path:
        query = {"v": API_VERSION, "c": CLIENT, "f": "json", **self._auth_params(self.auth or "password"), "id": song_id}
        try:
            with self.http.stream("GET", endpoint, params=query) as response:
                kind = response.headers.get("content-type", "")
                if response.status_code != 200 or "json" in kind or "xml" in kind:
                    raise self._refusal(endpoint, response.read())
                got = 0
                with open(dest, "wb") as fh:
                    for chunk in response.iter_bytes():
                        fh.write(chunk[: max_bytes - got])
                        got += len(chunk)
                        if got >= max_bytes:
                            break
        except httpx.TimeoutException as exc:
            raise StoreError(f"subsonic server {self.url} did not answer in time ({exc.__class__.__name__})") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach subsonic server {self.url}: {exc.__class__.__name__}: {exc}") from exc
        return dest

    def _refusal(self, endpoint: str, body: bytes) -> SegueError:
        try:
            error = json.loads(body)["subsonic-response"].get("error") or {}
        except (ValueError, KeyError, TypeError, AttributeError):
            return StoreError(f"subsonic server {self.url} sent no audio for {endpoint}")
        return subsonic_error(self.url, int(error.get("code", 0)), str(error.get("message", "")))


def owned_song(song: dict[str, Any]) -> OwnedTrack:
    """A Subsonic `Child` as an owned track (OpenSubsonic's `artists` and `musicBrainzId` when given)."""
    artists = song.get("artists") or []
    artist = (artists[0].get("name") if artists and isinstance(artists[0], dict) else None) or song.get("artist") or ""
    duration = song.get("duration")
    year = song.get("year")
    size = song.get("size")
    return OwnedTrack(key=str(song["id"]), title=str(song.get("title") or ""), artist=str(artist),
                      album=str(song.get("album") or ""), duration_ms=int(duration) * 1000 if duration else None,
                      year=int(year) if isinstance(year, int) and year > 0 else None, genre=str(song.get("genre") or ""),
                      mbid=song.get("musicBrainzId") or None, path=song.get("path"),
                      play_count=int(song.get("playCount") or 0), starred=bool(song.get("starred")),
                      size=int(size) if isinstance(size, int) else None)
