"""Home: a listener's page of shelves — their prompted playlists, what they played lately, more like a top
artist, genres next to theirs, the daylist for this hour, podcasts for them — served shelf by shelf, the
cheapest first, and cached per listener until their history or prompted playlists change."""
