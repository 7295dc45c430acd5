"""The public verify page: what a video file says about where it came from, and its original post.

Sits above `feed.posts` (it links to posts); the readers live in `generation.provenance.reading`.
"""
