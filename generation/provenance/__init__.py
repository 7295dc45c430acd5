"""Provenance of generated videos: marks put in while finishing, and the readers that check them.

- `visible`: the moving site name + @handle drawn on every frame.
- `invisible`: the job id hidden in the frames (error-corrected), read back after re-encoding.
- `signing`: the C2PA manifest signed onto every MP4 (remixes name their parent as an ingredient).
- `keys`: the dev CA and signing certificate (`manage.py provenance_keys`), or production files.
- `steps`: the finishing steps named in settings; `reading`: what the verify page asks of a file.
"""
