"""ratings' part of ``egov load-demo``: filled in below."""


def load(write) -> None:
    write("Ratings: none yet.")
