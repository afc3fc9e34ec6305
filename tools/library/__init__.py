"""Libraries the listener owns — a Subsonic/OpenSubsonic server or a folder of files — as catalog sources:
owned tracks are matched to the reference catalog and inherit its audio features; a playlist made with a
library holds owned tracks only, and can be saved back where it plays."""
