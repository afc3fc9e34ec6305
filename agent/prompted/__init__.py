"""Prompted playlists: a listener's saved prompt, refreshed on a schedule against their current taste, kept
as versions with a diff and a why per track."""
