"""The Home page models: a page of typed shelves, each with a true title, its items and why it is there."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ShelfId = Literal["prompted", "jump_back_in", "more_like", "discover", "daylist", "podcasts", "popular"]


class HomeItem(BaseModel):
    kind: Literal["track", "episode", "prompted"] = Field(description="A catalog track, a podcast episode or a "
                                                           "prompted playlist (open it at /users/{id}/prompted/{id}).")
    id: str
    title: str
    subtitle: str = Field(description="Artists, the show, or the playlist's size and last refresh.")
    why: str = Field("", description="Why this item, from facts.")


class Shelf(BaseModel):
    id: ShelfId
    title: str = Field(description="A title that is true of the items ('More like Norah Jones').")
    why: str = Field(description="Why the shelf is on this listener's page.")
    items: list[HomeItem]


class Home(BaseModel):
    """`GET /users/{id}/home`."""

    user_id: str
    etag: str = Field(description="Changes when the listener's history, settings or prompted playlists change, "
                      "and every hour (the daylist).")
    shelves: list[Shelf]
